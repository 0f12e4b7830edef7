using Cni.Spec.Tests.Support;

namespace Cni.Spec.Tests;

[TestFixture]
public sealed class CniEnvironmentTests
{
    [TestCase(CniCommand.Add, new[] { "CNI_CONTAINERID", "CNI_NETNS", "CNI_IFNAME" })]
    [TestCase(CniCommand.Check, new[] { "CNI_CONTAINERID", "CNI_NETNS", "CNI_IFNAME" })]
    [TestCase(CniCommand.Del, new[] { "CNI_CONTAINERID", "CNI_IFNAME" })]
    [TestCase(CniCommand.Gc, new[] { "CNI_PATH" })]
    [TestCase(CniCommand.Status, new string[0])]
    [TestCase(CniCommand.Version, new string[0])]
    public void RequiredFor_Command_MatchesSpec(CniCommand command, string[] expected) =>
        Assert.That(CniEnvironment.RequiredFor(command), Is.EqualTo(expected));

    [Test]
    public void EnsureRequired_EmptyValue_CountsAsMissing()
    {
        var env = TestEnv.E("DEL").With("CNI_IFNAME", "");
        var e = Assert.Throws<CniException>(() => CniEnvironment.EnsureRequired(CniCommand.Del, env.Getenv()));
        Assert.That(e!.Error.Msg, Is.EqualTo("required env variables [CNI_IFNAME] missing"));
    }

    [Test]
    public void SplitPath_WindowsPathsWithSpaces_SplitOnSemicolon() =>
        Assert.That(
            CniEnvironment.SplitPath(@"C:\Program Files\containerd\cni\bin;c:\opt\cni\bin;", windows: true),
            Is.EqualTo(new[] { @"C:\Program Files\containerd\cni\bin", @"c:\opt\cni\bin" }));

    [Test]
    public void SplitPath_Linux_SplitOnColon() =>
        Assert.That(CniEnvironment.SplitPath("/opt/cni/bin:/usr/lib/cni", windows: false), Is.EqualTo(new[] { "/opt/cni/bin", "/usr/lib/cni" }));
}
