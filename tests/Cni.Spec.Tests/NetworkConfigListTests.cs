using System.Text;
using System.Text.Json;
using Cni.Spec.Tests.Support;

namespace Cni.Spec.Tests;

[TestFixture]
public sealed class NetworkConfigListTests
{
    private static NetworkConfigList Parse(string json) => NetworkConfigList.Parse(Encoding.UTF8.GetBytes(json));

    private static CniException Fails(string json) => Assert.Throws<CniException>(() => Parse(json))!;

    [Test]
    public void Parse_InstalledConflist_Parses()
    {
        var list = Parse("""{"cniVersion":"1.1.0","name":"wincni","plugins":[{"type":"wincni","socket":"/run/wincni/wincnid.sock"}]}""");
        Assert.Multiple(() =>
        {
            Assert.That(list.SelectedVersion, Is.EqualTo("1.1.0"));
            Assert.That(list.Name, Is.EqualTo("wincni"));
            Assert.That(list.Plugins.Single().Type, Is.EqualTo("wincni"));
            Assert.That(list.DisableCheck, Is.False);
        });
    }

    [TestCase("\"cniVersion\":\"0.4.0\",\"cniVersions\":[\"1.0.0\",\"1.1.0\",\"2.0.0\"]", "1.1.0")]
    [TestCase("\"cniVersion\":\"1.1.0\",\"cniVersions\":[\"0.3.1\"]", "1.1.0")]
    [TestCase("\"cniVersions\":[\"0.3.1\",\"0.4.0\"]", "0.4.0")]
    [TestCase("\"cniVersion\":\"1.0.0\",\"cniVersions\":[\"1.5.0\"]", "1.0.0")]
    public void Parse_CniVersions_HighestSupportedSelected(string versions, string expected) =>
        Assert.That(Parse("{" + versions + ",\"name\":\"n\",\"plugins\":[{\"type\":\"x\"}]}").SelectedVersion, Is.EqualTo(expected));

    [Test]
    public void Parse_CniVersionsUnparsable_Code7() =>
        Assert.That(Fails("""{"cniVersions":["1.1"],"name":"n","plugins":[{"type":"x"}]}""").Error.Msg, Does.StartWith("cniVersions[0]:"));

    [Test]
    public void Parse_NoSupportedVersion_Code1() =>
        Assert.That(Fails("""{"cniVersion":"2.0.0","name":"n","plugins":[{"type":"x"}]}""").Code, Is.EqualTo(CniErrorCode.IncompatibleCniVersion));

    [TestCase("true", true)]
    [TestCase("false", false)]
    [TestCase("\"true\"", true)]
    [TestCase("\"TRUE\"", true)]
    [TestCase("\"False\"", false)]
    public void Parse_DisableCheckBoolOrString_Read(string value, bool expected) =>
        Assert.That(Parse("{\"cniVersion\":\"1.1.0\",\"name\":\"n\",\"disableCheck\":" + value + ",\"plugins\":[{\"type\":\"x\"}]}").DisableCheck, Is.EqualTo(expected));

    [TestCase("\"yes\"")]
    [TestCase("1")]
    public void Parse_DisableCheckInvalid_Code7(string value) =>
        Assert.That(Fails("{\"cniVersion\":\"1.1.0\",\"name\":\"n\",\"disableCheck\":" + value + ",\"plugins\":[{\"type\":\"x\"}]}").Error.Msg, Does.StartWith("disableCheck:"));

    [Test]
    public void Parse_DisableGcAndLoadOnlyInlined_Read()
    {
        var list = Parse("""{"cniVersion":"1.1.0","name":"n","disableGC":true,"loadOnlyInlinedPlugins":true,"plugins":[{"type":"x"}]}""");
        Assert.Multiple(() =>
        {
            Assert.That(list.DisableGc, Is.True);
            Assert.That(list.LoadOnlyInlinedPlugins, Is.True);
        });
    }

    [TestCase("""{"cniVersion":"1.1.0","name":"n"}""", "plugins:")]
    [TestCase("""{"cniVersion":"1.1.0","name":"n","loadOnlyInlinedPlugins":true}""", "plugins: is required when loadOnlyInlinedPlugins")]
    [TestCase("""{"cniVersion":"1.1.0","name":"n","plugins":[]}""", "plugins: must not be empty")]
    [TestCase("""{"cniVersion":"1.1.0","name":"n","plugins":[{"type":"x"},{}]}""", "plugins[1].type:")]
    [TestCase("""{"cniVersion":"1.1.0","name":"n","plugins":[{"type":"../x"}]}""", "plugins[0].type:")]
    [TestCase("""{"cniVersion":"1.1.0","name":"n","plugins":[{"type":"c:\\x"}]}""", "plugins[0].type:")]
    [TestCase("""{"cniVersion":"1.1.0","name":"bad name","plugins":[{"type":"x"}]}""", "invalid characters found in network name")]
    [TestCase("""{"cniVersion":"1.1.0","plugins":[{"type":"x"}]}""", "missing network name")]
    public void Parse_Invalid_Code7NamingField(string json, string msgStart)
    {
        var e = Fails(json);
        Assert.Multiple(() =>
        {
            Assert.That(e.Code, Is.EqualTo(CniErrorCode.InvalidNetworkConfig));
            Assert.That(e.Error.Msg, Does.StartWith(msgStart));
        });
    }

    [TestCase("""{"cniVersion":"1.1.0","name":"n","plugins":{}}""")]
    [TestCase("""{"cniVersion":"1.1.0","name":"n","plugins":[1]}""")]
    [TestCase("""{"cniVersion":"1.1.0","name":"n","plugins":[{"type":"x","capabilities":{"dns":"yes"}}]}""")]
    [TestCase("[]")]
    [TestCase("{")]
    public void Parse_WrongTypes_Code6(string json) =>
        Assert.That(Fails(json).Code, Is.EqualTo(CniErrorCode.DecodingFailure));

    [Test]
    public void ParseSingle_LegacyConf_IsOnePluginList()
    {
        var list = NetworkConfigList.ParseSingle(Encoding.UTF8.GetBytes("""{"cniVersion":"0.3.1","name":"n","type":"bridge","bridge":"cni0"}"""));
        Assert.Multiple(() =>
        {
            Assert.That(list.Plugins.Single().Type, Is.EqualTo("bridge"));
            Assert.That(list.SelectedVersion, Is.EqualTo("0.3.1"));
        });
    }

    [Test]
    public void BuildRequest_PluginWithOwnKeys_InjectsVersionAndNamePassesRestThrough()
    {
        var list = Parse("""{"cniVersion":"0.4.0","cniVersions":["1.1.0"],"name":"dbnet","disableCheck":true,"plugins":[{"type":"wincni","name":"ignored","cniVersion":"0.1.0","capabilities":{"portMappings":true},"socket":"/s","custom":{"a":1}}]}""");
        using var runtimeConfig = JsonDocument.Parse("""{"portMappings":[{"HostPort":8080,"ContainerPort":80,"Protocol":"tcp","HostIP":""}]}""");
        var request = list.BuildRequest(0, runtimeConfig: runtimeConfig.RootElement);
        var config = NetworkConfig.Parse(request);
        Assert.Multiple(() =>
        {
            Assert.That(config.CniVersion, Is.EqualTo("1.1.0"));
            Assert.That(config.Name, Is.EqualTo("dbnet"));
            Assert.That(config.Socket, Is.EqualTo("/s"));
            Assert.That(config.Capabilities!["portMappings"], Is.True);
            Assert.That(config.ExtensionData.Keys, Is.EquivalentTo(new[] { "custom" }));
            Assert.That(config.RuntimeConfig!.PortMappings![0].HostPort, Is.EqualTo(8080));
            Assert.That(Encoding.UTF8.GetString(request), Does.Not.Contain("disableCheck").And.Not.Contain("cniVersions"));
        });
    }

    [Test]
    public void BuildRequest_Gc_WritesBothAttachmentKeys()
    {
        var list = Parse("""{"cniVersion":"1.1.0","name":"dbnet","plugins":[{"type":"wincni"}]}""");
        var request = list.BuildRequest(0, validAttachments: [new GcAttachment("abc123", "eth0")]);
        var parsed = PluginInvocation.Parse(TestEnv.Only(("CNI_COMMAND", "GC"), ("CNI_PATH", "/p")).Getenv(), request);
        Assert.Multiple(() =>
        {
            Assert.That(parsed.Config.ValidAttachments, Is.EqualTo(new[] { new GcAttachment("abc123", "eth0") }));
            Assert.That(Encoding.UTF8.GetString(request), Does.Contain("\"cni.dev/attachments\""));
        });
    }
}
