using Cni.Hcn.Errors;

namespace Cni.Hcn.Tests.Errors;

[TestFixture]
public sealed class HnsErrorRecordTests
{
    [Test]
    public void Parse_HnsRecord_ReadsErrorAndUnsignedCode()
    {
        var record = HnsErrorRecord.Parse("""{"Success":false,"Error":"The parameter is incorrect. ","ErrorCode":2147942487}""");

        Assert.That(record.Error, Is.EqualTo("The parameter is incorrect."));
        Assert.That(record.ErrorCode, Is.EqualTo(HcnErrorCodes.InvalidParameter));
    }

    [Test]
    public void Parse_LowerCaseKeys_AreRead()
    {
        var record = HnsErrorRecord.Parse("""{"error":"x","errorcode":-2143617005}""");

        Assert.That(record.Error, Is.EqualTo("x"));
        Assert.That(record.ErrorCode, Is.EqualTo(HcnErrorCodes.PortAlreadyExists));
    }

    [Test]
    public void Parse_NotJson_KeepsTextAsError()
    {
        var record = HnsErrorRecord.Parse("Element not found.");

        Assert.That(record.Text, Is.EqualTo("Element not found."));
        Assert.That(record.Error, Is.EqualTo("Element not found."));
        Assert.That(record.ErrorCode, Is.Null);
    }

    [Test]
    public void Parse_JsonString_IsTheError()
    {
        Assert.That(HnsErrorRecord.Parse("\"boom\"").Error, Is.EqualTo("boom"));
    }

    [Test]
    public void Parse_EmptyErrorMember_IsNull()
    {
        Assert.That(HnsErrorRecord.Parse("""{"Error":"  "}""").Error, Is.Null);
    }
}
