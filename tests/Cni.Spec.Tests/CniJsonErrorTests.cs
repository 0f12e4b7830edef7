using System.Text;
using System.Text.Json;

namespace Cni.Spec.Tests;

[TestFixture]
public sealed class CniJsonErrorTests
{
    [Test]
    public void Serialize_FullError_WritesSpecShape()
    {
        var json = Encoding.UTF8.GetString(CniJson.Serialize(CniError.Create(CniErrorCode.InvalidNetworkConfig, "Invalid Configuration", "Network 192.168.0.0/31 too small", "1.1.0")));
        Assert.That(json, Is.EqualTo("""{"cniVersion":"1.1.0","code":7,"msg":"Invalid Configuration","details":"Network 192.168.0.0/31 too small"}"""));
    }

    [Test]
    public void Serialize_NoDetailsNoVersion_LeavesKeysOut()
    {
        var json = Encoding.UTF8.GetString(CniJson.Serialize(CniError.Create(CniErrorCode.TryAgainLater, "daemon not ready")));
        Assert.That(json, Is.EqualTo("""{"code":11,"msg":"daemon not ready"}"""));
    }

    [Test]
    public void Serialize_QuotesAndUnicodeInMessage_StaysValidJson()
    {
        var msg = "CNI_ARGS: unknown args [\"FOO=bär\"] \u0001 </script>";
        var bytes = CniJson.Serialize(CniError.Create(CniErrorCode.InvalidEnvironmentVariables, msg));
        using var doc = JsonDocument.Parse(bytes);
        Assert.That(doc.RootElement.GetProperty("msg").GetString(), Is.EqualTo(msg));
    }

    [Test]
    public void ParseError_RoundTrip_KeepsEveryField()
    {
        var error = CniError.Create(CniErrorCode.PluginNotAvailable, "not ready", "HNS down", "1.1.0");
        Assert.That(CniJson.ParseError(CniJson.Serialize(error)), Is.EqualTo(error));
    }

    [TestCase("")]
    [TestCase("{}")]
    [TestCase("{\"code\":\"7\"}")]
    [TestCase("[]")]
    [TestCase("{\"code\":0,\"msg\":\"x\"}")]
    public void ParseError_NotAnError_Code6(string json)
    {
        var e = Assert.Throws<CniException>(() => CniJson.ParseError(Encoding.UTF8.GetBytes(json)));
        Assert.That(e!.Code, Is.EqualTo(CniErrorCode.DecodingFailure));
    }

    [Test]
    public void Constructor_CodeMessageDetails_CarriedInError()
    {
        var e = new CniException(CniErrorCode.UnknownContainer, "gone", "details");
        Assert.Multiple(() =>
        {
            Assert.That(e.Message, Is.EqualTo("gone"));
            Assert.That(e.Code, Is.EqualTo(CniErrorCode.UnknownContainer));
            Assert.That(e.Error.Details, Is.EqualTo("details"));
            Assert.That(e.WithVersion("0.4.0").Error.CniVersion, Is.EqualTo("0.4.0"));
        });
    }

    [Test]
    public void CniErrorCode_Members_AreExactlyTheSpecCodes()
    {
        var codes = Enum.GetValues<CniErrorCode>().Select(c => (int)c).ToArray();
        Assert.That(codes, Is.EquivalentTo(new[] { 1, 2, 3, 4, 5, 6, 7, 8, 11, 50, 51, 999 }));
    }

    [TestCase(9, false)]
    [TestCase(10, false)]
    [TestCase(12, false)]
    [TestCase(49, false)]
    [TestCase(0, false)]
    [TestCase(1, true)]
    [TestCase(8, true)]
    [TestCase(11, true)]
    [TestCase(50, true)]
    [TestCase(51, true)]
    [TestCase(999, true)]
    public void IsSpecDefined_Code_MatchesSpecTable(int code, bool expected) =>
        Assert.That(CniErrorCodes.IsSpecDefined(code), Is.EqualTo(expected));
}
