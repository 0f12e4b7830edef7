namespace Cni.Spec.Tests;

[TestFixture]
public sealed class CniNamesTests
{
    [TestCase("dbnet", true)]
    [TestCase("a", true)]
    [TestCase("0abc_.-x", true)]
    [TestCase("-bad", false)]
    [TestCase("_bad", false)]
    [TestCase(".bad", false)]
    [TestCase("db/net", false)]
    [TestCase("db net", false)]
    [TestCase("dbnét", false)]
    [TestCase("", false)]
    [TestCase(null, false)]
    public void IsValidIdentifier_Value_FollowsRegex(string? value, bool expected) =>
        Assert.That(CniNames.IsValidIdentifier(value), Is.EqualTo(expected));

    [TestCase("eth0", null)]
    [TestCase("a", null)]
    [TestCase("eth0123456789ab", null)]
    [TestCase("eth0123456789abc", "interface name is too long")]
    [TestCase("eth0123456789abcd", "interface name is too long")]
    [TestCase("ééééééééé", "interface name is too long")]
    [TestCase("", "interface name is empty")]
    [TestCase(".", "interface name is . or ..")]
    [TestCase("..", "interface name is . or ..")]
    [TestCase("a/b", "interface name contains / or : or whitespace characters")]
    [TestCase("a:b", "interface name contains / or : or whitespace characters")]
    [TestCase("et h0", "interface name contains / or : or whitespace characters")]
    [TestCase("eth\t0", "interface name contains / or : or whitespace characters")]
    public void FindInterfaceNameProblem_Name_ReferenceProblemText(string ifName, string? problem) =>
        Assert.That(CniNames.FindInterfaceNameProblem(ifName), Is.EqualTo(problem));

    [Test]
    public void ValidateInterfaceName_Invalid_Code4NamingVariable()
    {
        var e = Assert.Throws<CniException>(() => CniNames.ValidateInterfaceName("eth0123456789abcd"));
        Assert.Multiple(() =>
        {
            Assert.That(e!.Code, Is.EqualTo(CniErrorCode.InvalidEnvironmentVariables));
            Assert.That(e.Error.Msg, Is.EqualTo("CNI_IFNAME: interface name is too long"));
        });
    }

    [Test]
    public void ValidateContainerId_BadCharacters_Code4()
    {
        var e = Assert.Throws<CniException>(() => CniNames.ValidateContainerId("_abc"));
        Assert.Multiple(() =>
        {
            Assert.That(e!.Code, Is.EqualTo(CniErrorCode.InvalidEnvironmentVariables));
            Assert.That(e.Error.Msg, Does.Contain("invalid characters in containerID").And.Contain("CNI_CONTAINERID"));
        });
    }

    [TestCase(null, "missing network name")]
    [TestCase("", "missing network name")]
    [TestCase("-x", "invalid characters found in network name")]
    public void ValidateNetworkName_Invalid_Code7(string? name, string msg)
    {
        var e = Assert.Throws<CniException>(() => CniNames.ValidateNetworkName(name));
        Assert.Multiple(() =>
        {
            Assert.That(e!.Code, Is.EqualTo(CniErrorCode.InvalidNetworkConfig));
            Assert.That(e.Error.Msg, Is.EqualTo(msg));
        });
    }

    [TestCase("wincni", true)]
    [TestCase("win-bridge.exe", true)]
    [TestCase("../bin/x", false)]
    [TestCase(@"C:\x", false)]
    [TestCase("", false)]
    public void IsValidPluginType_Name_NoPathSeparators(string type, bool expected) =>
        Assert.That(CniNames.IsValidPluginType(type), Is.EqualTo(expected));
}
