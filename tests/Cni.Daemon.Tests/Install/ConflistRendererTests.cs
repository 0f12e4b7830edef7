using System.Text.Json;
using Cni.Daemon.Install;

namespace Cni.Daemon.Tests.Install;

public sealed class ConflistRendererTests
{
    [Test]
    public void Render_Default_NameAndSocketFromTheNodeConfigRestKept()
    {
        var rendered = ConflistRenderer.Render(ConflistRenderer.DefaultConflist, "x", "pods", @"C:\ProgramData\wincni\wincnid.sock");

        using var json = JsonDocument.Parse(rendered);
        Assert.That(json.RootElement.GetProperty("name").GetString(), Is.EqualTo("pods"));
        Assert.That(json.RootElement.GetProperty("cniVersion").GetString(), Is.EqualTo("1.0.0"));
        var plugin = json.RootElement.GetProperty("plugins")[0];
        Assert.That(plugin.GetProperty("socket").GetString(), Is.EqualTo(@"C:\ProgramData\wincni\wincnid.sock"));
        Assert.That(plugin.GetProperty("capabilities").GetProperty("portMappings").GetBoolean(), Is.True);
    }

    [TestCase("not json", "not valid JSON")]
    [TestCase("[]", "a conflist is a JSON object")]
    [TestCase("""{"plugins":[{"type":"wincni"}]}""", "cniVersion: missing")]
    [TestCase("""{"cniVersion":"1.0.0","type":"wincni"}""", "plugins: missing or empty")]
    [TestCase("""{"cniVersion":"1.0.0","plugins":[{"type":"bridge"}]}""", "exactly one entry with \"type\": \"wincni\" is needed, found 0")]
    [TestCase("""{"cniVersion":"1.0.0","plugins":[{"type":"wincni"},{"type":"wincni"}]}""", "found 2")]
    [TestCase("""{"cniVersion":"1.0.0","plugins":[{"type":"wincni"},{"name":"x"}]}""", "plugins[1].type: missing")]
    public void Render_BadConflist_FailsNamingTheField(string conflist, string expected) =>
        Assert.That(() => ConflistRenderer.Render(conflist, "cm/10-wincni.conflist", "wincni", "/s"),
            Throws.TypeOf<InstallException>().With.Message.StartsWith("cm/10-wincni.conflist: ").And.Message.Contains(expected));
}
