using System.Buffers;
using System.Text;
using System.Text.Json;
using Cni.Spec.Json;
using Cni.Spec.Wire;

namespace Cni.Spec.Tests.Wire;

[TestFixture]
public sealed class DaemonRequestTests
{
    [TestCase("plain")]
    [TestCase("")]
    [TestCase("quote \" backslash \\ slash /")]
    [TestCase("controls \u0000 \u0001 \b \f \n \r \t \u001f end")]
    [TestCase("unicode é 漢字 \U0001F600 and U+2028 \u2028")]
    [TestCase(@"C:\Program Files\containerd\cni\bin;c:\opt\cni\bin")]
    public void WriteString_AnyText_ParsesBackToTheSameString(string value)
    {
        var buffer = new ArrayBufferWriter<byte>();

        MinimalJsonWriter.WriteString(buffer, value);

        using var document = JsonDocument.Parse(buffer.WrittenMemory);
        Assert.That(document.RootElement.GetString(), Is.EqualTo(value));
    }

    [Test]
    public void WriteString_LoneSurrogate_WritesReplacementCharacterAsValidUtf8()
    {
        var buffer = new ArrayBufferWriter<byte>();

        MinimalJsonWriter.WriteString(buffer, "a\ud800b");

        using var document = JsonDocument.Parse(buffer.WrittenMemory);
        Assert.That(document.RootElement.GetString(), Is.EqualTo("a\ufffdb"));
    }

    [Test]
    public void Write_AllFields_RoundTripsThroughTheDaemonsDeserializer()
    {
        const string config = """{"cniVersion":"1.1.0","name":"wincni", "type":"wincni","x":[1, 2,{"y":"\u00e9"}]}""";
        var buffer = new ArrayBufferWriter<byte>();

        DaemonRequest.Write(buffer, "ADD", "abc123", "/var/run/netns/cni-1", "eth0", "IgnoreUnknown=1;K8S_POD_NAME=a\"b", @"C:\cni bin;d:\x", Encoding.UTF8.GetBytes(config));
        var request = JsonSerializer.Deserialize(buffer.WrittenSpan, WireJsonContext.Default.DaemonRequest)!;

        Assert.Multiple(() =>
        {
            Assert.That(request.Command, Is.EqualTo("ADD"));
            Assert.That(request.ContainerId, Is.EqualTo("abc123"));
            Assert.That(request.Netns, Is.EqualTo("/var/run/netns/cni-1"));
            Assert.That(request.IfName, Is.EqualTo("eth0"));
            Assert.That(request.Args, Is.EqualTo("IgnoreUnknown=1;K8S_POD_NAME=a\"b"));
            Assert.That(request.Path, Is.EqualTo(@"C:\cni bin;d:\x"));
            Assert.That(request.Config.GetRawText(), Is.EqualTo(config), "the config travels byte for byte");
        });
    }
}
