using System.Text;
using System.Text.Json;

namespace Cni.Spec.Tests;

[TestFixture]
public sealed class VersionInfoTests
{
    private static (string Version, string[] Supported) Read(byte[] json)
    {
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        return (
            root.GetProperty("cniVersion").GetString()!,
            root.GetProperty("supportedVersions").EnumerateArray().Select(e => e.GetString()!).ToArray());
    }

    [Test]
    public void ResponseFor_EmptyStdin_AnswersLatestWithAllVersions()
    {
        var (version, supported) = Read(VersionInfo.ResponseFor([]));
        Assert.Multiple(() =>
        {
            Assert.That(version, Is.EqualTo("1.1.0"));
            Assert.That(supported, Is.EqualTo(new[] { "0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0" }));
        });
    }

    [TestCase("0.3.0")]
    [TestCase("0.3.1")]
    [TestCase("0.4.0")]
    [TestCase("1.0.0")]
    [TestCase("1.1.0")]
    public void ResponseFor_SupportedInputVersion_EchoesIt(string input)
    {
        var (version, _) = Read(VersionInfo.ResponseFor(Encoding.UTF8.GetBytes("{\"cniVersion\":\"" + input + "\"}")));
        Assert.That(version, Is.EqualTo(input));
    }

    [TestCase("{\"cniVersion\":\"2.0.0\"}")]
    [TestCase("{\"cniVersion\":\"0.2.0\"}")]
    [TestCase("{\"cniVersion\":\"1.1\"}")]
    [TestCase("{\"cniVersion\":110}")]
    [TestCase("garbage")]
    [TestCase("{\"cniVersion\":\"0.3.1\"")]
    [TestCase("[\"0.3.1\"]")]
    [TestCase("{\"a\":{\"cniVersion\":\"0.3.1\"}}")]
    [TestCase("null")]
    public void ResponseFor_UnsupportedOrGarbage_AnswersLatest(string stdin)
    {
        var (version, _) = Read(VersionInfo.ResponseFor(Encoding.UTF8.GetBytes(stdin)));
        Assert.That(version, Is.EqualTo("1.1.0"));
    }

    [Test]
    public void ResponseFor_InvalidUtf8_AnswersLatest()
    {
        var (version, _) = Read(VersionInfo.ResponseFor(new byte[] { 0x7B, 0x22, 0xFF, 0xFE, 0x22, 0x3A, 0x31, 0x7D }));
        Assert.That(version, Is.EqualTo("1.1.0"));
    }

    [Test]
    public void ResponseFor_DeeplyNested_AnswersLatest()
    {
        var stdin = new string('[', 10_000) + new string(']', 10_000);
        var (version, _) = Read(VersionInfo.ResponseFor(Encoding.UTF8.GetBytes(stdin)));
        Assert.That(version, Is.EqualTo("1.1.0"));
    }

    [Test]
    public void ResponseFor_VersionAfterOtherKeys_Echoed()
    {
        var stdin = """{"name":"x","plugins":[{"type":"a"}],"cniVersion":"0.4.0"}""";
        var (version, _) = Read(VersionInfo.ResponseFor(Encoding.UTF8.GetBytes(stdin)));
        Assert.That(version, Is.EqualTo("0.4.0"));
    }

    [Test]
    public void ResponseFor_Output_IsExactDocument()
    {
        var text = Encoding.UTF8.GetString(VersionInfo.ResponseFor("{\"cniVersion\":\"0.3.1\"}"u8));
        Assert.That(text, Is.EqualTo("""{"cniVersion":"0.3.1","supportedVersions":["0.3.0","0.3.1","0.4.0","1.0.0","1.1.0"]}"""));
    }
}
