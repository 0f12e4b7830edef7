namespace Cni.Spec.Tests;

[TestFixture]
public sealed class CniCommandsTests
{
    [TestCase("ADD", CniCommand.Add)]
    [TestCase("DEL", CniCommand.Del)]
    [TestCase("CHECK", CniCommand.Check)]
    [TestCase("VERSION", CniCommand.Version)]
    [TestCase("STATUS", CniCommand.Status)]
    [TestCase("GC", CniCommand.Gc)]
    public void Parse_Known_RoundTripsWireName(string value, CniCommand expected)
    {
        var command = CniCommands.Parse(value);
        Assert.Multiple(() =>
        {
            Assert.That(command, Is.EqualTo(expected));
            Assert.That(command.ToWireName(), Is.EqualTo(value));
        });
    }

    [TestCase("add")]
    [TestCase("Add")]
    [TestCase("ADD ")]
    [TestCase("FOO")]
    [TestCase("gc")]
    public void Parse_Unknown_Code4NamingValue(string value)
    {
        var e = Assert.Throws<CniException>(() => CniCommands.Parse(value));
        Assert.Multiple(() =>
        {
            Assert.That(e!.Code, Is.EqualTo(CniErrorCode.InvalidEnvironmentVariables));
            Assert.That(e.Error.Msg, Is.EqualTo("unknown CNI_COMMAND: " + value));
        });
    }

    [TestCase(null)]
    [TestCase("")]
    public void Parse_Missing_Code4NamingVariable(string? value)
    {
        var e = Assert.Throws<CniException>(() => CniCommands.Parse(value));
        Assert.That(e!.Error.Msg, Does.Contain("CNI_COMMAND"));
    }
}
