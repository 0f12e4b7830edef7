using System.Text;
using Cni.Spec.Tests.Support;

namespace Cni.Spec.Tests;

[TestFixture]
public sealed class NetworkConfigTests
{
    private static NetworkConfig Parse(string json) => NetworkConfig.Parse(TestEnv.Bytes(json));

    private static CniException Fails(string json) => Assert.Throws<CniException>(() => Parse(json))!;

    [Test]
    public void Parse_WincniKeys_Typed()
    {
        var config = Parse(TestEnv.C11Plus("\"socket\":\"/run/wincni/wincnid.sock\",\"logFile\":\"/var/log/wincni.log\",\"timeoutSeconds\":12.5"));
        Assert.Multiple(() =>
        {
            Assert.That(config.Socket, Is.EqualTo("/run/wincni/wincnid.sock"));
            Assert.That(config.LogFile, Is.EqualTo("/var/log/wincni.log"));
            Assert.That(config.TimeoutSeconds, Is.EqualTo(12.5));
            Assert.That(config.ExtensionData, Is.Empty);
        });
    }

    [Test]
    public void Parse_WindowsSocketPath_Kept() =>
        Assert.That(Parse(TestEnv.C11Plus("\"socket\":\"C:\\\\ProgramData\\\\wincni\\\\wincnid.sock\"")).Socket, Is.EqualTo(@"C:\ProgramData\wincni\wincnid.sock"));

    [TestCase("\"socket\":5", "socket", CniErrorCode.DecodingFailure)]
    [TestCase("\"socket\":\"\"", "socket", CniErrorCode.InvalidNetworkConfig)]
    [TestCase("\"timeoutSeconds\":0", "timeoutSeconds", CniErrorCode.InvalidNetworkConfig)]
    [TestCase("\"timeoutSeconds\":-3", "timeoutSeconds", CniErrorCode.InvalidNetworkConfig)]
    [TestCase("\"timeoutSeconds\":\"10\"", "timeoutSeconds", CniErrorCode.DecodingFailure)]
    [TestCase("\"logFile\":[]", "logFile", CniErrorCode.DecodingFailure)]
    [TestCase("\"ipMasq\":\"yes\"", "ipMasq", CniErrorCode.DecodingFailure)]
    [TestCase("\"capabilities\":{\"portMappings\":\"true\"}", "capabilities.portMappings", CniErrorCode.DecodingFailure)]
    [TestCase("\"ipam\":{\"type\":\"../host-local\"}", "ipam.type", CniErrorCode.InvalidNetworkConfig)]
    [TestCase("\"dns\":{\"nameservers\":\"8.8.8.8\"}", "dns.nameservers", CniErrorCode.DecodingFailure)]
    [TestCase("\"args\":[1]", "args", CniErrorCode.DecodingFailure)]
    [TestCase("\"cni.dev/valid-attachments\":[{\"containerID\":\"a\"}]", "cni.dev/valid-attachments[0].ifname", CniErrorCode.InvalidNetworkConfig)]
    [TestCase("\"cni.dev/attachments\":{}", "cni.dev/attachments", CniErrorCode.DecodingFailure)]
    public void Parse_BadValue_ErrorNamesField(string members, string path, CniErrorCode code)
    {
        var e = Fails(TestEnv.C11Plus(members));
        Assert.Multiple(() =>
        {
            Assert.That(e.Code, Is.EqualTo(code));
            Assert.That(e.Error.Msg, Does.StartWith(path + ":"));
        });
    }

    [TestCase("""{"cniVersion":"1.1.0","name":"dbnet"}""")]
    [TestCase("""{"cniVersion":"1.1.0","name":"dbnet","type":"a/b"}""")]
    [TestCase("""{"cniVersion":"1.1.0","name":"dbnet","type":"a\\b"}""")]
    public void Parse_MissingOrBadType_Code7(string json) =>
        Assert.That(Fails(json).Code, Is.EqualTo(CniErrorCode.InvalidNetworkConfig));

    [Test]
    public void Parse_NameNotString_Code6() =>
        Assert.That(Fails("""{"cniVersion":"1.1.0","name":7,"type":"x"}""").Code, Is.EqualTo(CniErrorCode.DecodingFailure));

    [Test]
    public void Parse_VersionNotString_Code6() =>
        Assert.That(Fails("""{"cniVersion":1.1,"name":"dbnet","type":"x"}""").Code, Is.EqualTo(CniErrorCode.DecodingFailure));

    [Test]
    public void Parse_UnknownKeys_PreservedInExtensionData()
    {
        var config = Parse(TestEnv.C11Plus("\"foo\":{\"bar\":1},\"mode\":\"overlay\",\"Socket\":\"not-ours\""));
        Assert.Multiple(() =>
        {
            Assert.That(config.ExtensionData.Keys, Is.EquivalentTo(new[] { "foo", "mode", "Socket" }));
            Assert.That(config.ExtensionData["foo"].GetProperty("bar").GetInt32(), Is.EqualTo(1));
            Assert.That(config.ExtensionData["mode"].GetString(), Is.EqualTo("overlay"));
            Assert.That(config.Socket, Is.Null);
        });
    }

    [Test]
    public void Parse_WellKnownKeys_Typed()
    {
        var config = Parse(TestEnv.C11Plus("""
            "capabilities":{"portMappings":true,"dns":false},"ipMasq":true,"ipam":{"type":"host-local","subnet":"10.1.0.0/16"},
            "dns":{"nameservers":["10.96.0.10"],"domain":"cluster.local","search":["svc.cluster.local"],"options":["ndots:5"]},
            "args":{"cni":{"ips":["10.1.0.9"]}}
            """));
        Assert.Multiple(() =>
        {
            Assert.That(config.Capabilities!["portMappings"], Is.True);
            Assert.That(config.Capabilities["dns"], Is.False);
            Assert.That(config.IpMasq, Is.True);
            Assert.That(config.Ipam!.Type, Is.EqualTo("host-local"));
            Assert.That(config.Ipam.Raw.GetProperty("subnet").GetString(), Is.EqualTo("10.1.0.0/16"));
            Assert.That(config.Dns!.Nameservers, Is.EqualTo(new[] { "10.96.0.10" }));
            Assert.That(config.Dns.Domain, Is.EqualTo("cluster.local"));
            Assert.That(config.Dns.Search, Is.EqualTo(new[] { "svc.cluster.local" }));
            Assert.That(config.Dns.Options, Is.EqualTo(new[] { "ndots:5" }));
            Assert.That(config.Args!.Value.GetProperty("cni").GetProperty("ips")[0].GetString(), Is.EqualTo("10.1.0.9"));
        });
    }

    [Test]
    public void Parse_RawJson_IsExactInput()
    {
        var bytes = TestEnv.Bytes(TestEnv.C11Plus("\"z\" : [ 1 , 2 ]"));
        Assert.That(NetworkConfig.Parse(bytes).RawJson.ToArray(), Is.EqualTo(bytes.ToArray()));
    }

    [Test]
    public void Parse_DuplicateName_LastWins() =>
        Assert.That(Parse("""{"cniVersion":"1.1.0","name":"-bad","name":"good","type":"x"}""").Name, Is.EqualTo("good"));

    [Test]
    public void Parse_HugeStringField_Parses()
    {
        var blob = new string('q', 1536 * 1024);
        var config = Parse(TestEnv.C11Plus("\"blob\":\"" + blob + "\""));
        Assert.That(config.ExtensionData["blob"].GetString(), Has.Length.EqualTo(blob.Length));
    }

    [Test]
    public void Parse_HugeNumber_KeptInExtensionData() =>
        Assert.That(Parse(TestEnv.C11Plus("\"n\":1e999999")).ExtensionData["n"].GetRawText(), Is.EqualTo("1e999999"));

    [TestCase("")]
    [TestCase("   ")]
    [TestCase("garbage")]
    [TestCase("null")]
    [TestCase("\"string\"")]
    [TestCase("{\"cniVersion\":\"1.1.0\",\"name\":\"dbnet\",\"type\":\"x\"} trailing")]
    [TestCase("{\"cniVersion\":\"1.1.0\",/*c*/\"name\":\"dbnet\",\"type\":\"x\"}")]
    [TestCase("{\"cniVersion\":\"1.1.0\",\"name\":\"dbnet\",\"type\":\"x\",}")]
    public void Parse_Garbage_Code6(string json) =>
        Assert.That(Fails(json).Code, Is.EqualTo(CniErrorCode.DecodingFailure));

    [Test]
    public void Parse_TruncatedJson_MessageGivesPosition()
    {
        var e = Fails("{\"cniVersion\":\"1.1.0\",\n\"name\":\"dbnet\",");
        Assert.Multiple(() =>
        {
            Assert.That(e.Error.Msg, Does.StartWith("error decoding network config: invalid JSON at line 2, byte "));
            Assert.That(e.Error.Details, Is.Not.Empty);
        });
    }

    [Test]
    public void Parse_InvalidUtf8_Code6()
    {
        var bytes = Encoding.UTF8.GetBytes(TestEnv.C11Plus("\"x\":\"ab\""));
        bytes[^3] = 0xFF;
        Assert.That(Assert.Throws<CniException>(() => NetworkConfig.Parse(bytes))!.Code, Is.EqualTo(CniErrorCode.DecodingFailure));
    }

    [Test]
    public void Parse_LoneSurrogateEscapeInKnownField_Code6()
    {
        var e = Fails(TestEnv.C11Plus("\"socket\":\"\\ud800\""));
        Assert.That(e.Code, Is.EqualTo(CniErrorCode.DecodingFailure));
    }

    [Test]
    public void Parse_DeepNesting_Code6()
    {
        var deep = new string('[', 100) + new string(']', 100);
        Assert.That(Fails(TestEnv.C11Plus("\"deep\":" + deep)).Code, Is.EqualTo(CniErrorCode.DecodingFailure));
    }

    [Test]
    public void Parse_PrevResultWithoutVersion_TakesConfigVersion()
    {
        var config = Parse(TestEnv.C11Plus("\"prevResult\":{\"ips\":[{\"version\":\"4\",\"address\":\"10.1.0.5/16\"}]}", "0.4.0"));
        Assert.That(config.PrevResult!.CniVersion, Is.EqualTo("0.4.0"));
    }

    [TestCase("1.1.0", "1.0.0")]
    [TestCase("1.0.0", "1.1.0")]
    [TestCase("0.4.0", "0.3.1")]
    [TestCase("0.3.0", "0.4.0")]
    public void Parse_PrevResultSameFamily_ParsesInOwnVersion(string configVersion, string prevVersion)
    {
        var config = Parse(TestEnv.C11Plus("\"prevResult\":{\"cniVersion\":\"" + prevVersion + "\",\"ips\":[{\"address\":\"10.1.0.5/16\"}]}", configVersion));
        Assert.That(config.PrevResult!.CniVersion, Is.EqualTo(prevVersion));
    }

    [TestCase("0.3.1", "1.1.0")]
    [TestCase("0.4.0", "1.0.0")]
    [TestCase("1.0.0", "0.4.0")]
    [TestCase("1.1.0", "0.3.0")]
    [TestCase("1.1.0", "0.2.0")]
    [TestCase("1.1.0", "2.0.0")]
    public void Parse_PrevResultOtherFamilyOrUnknown_Code6(string configVersion, string prevVersion)
    {
        var e = Fails(TestEnv.C11Plus("\"prevResult\":{\"cniVersion\":\"" + prevVersion + "\"}", configVersion));
        Assert.Multiple(() =>
        {
            Assert.That(e.Code, Is.EqualTo(CniErrorCode.DecodingFailure));
            Assert.That(e.Error.Msg, Does.StartWith("prevResult.cniVersion:"));
        });
    }

    [TestCase("\"prevResult\":{\"ips\":[{\"address\":\"notacidr\"}]}", "prevResult.ips[0].address")]
    [TestCase("\"prevResult\":{\"ips\":[{\"address\":\"10.1.0.5/16\",\"interface\":0}]}", "prevResult: ips[0].interface")]
    [TestCase("\"prevResult\":{\"interfaces\":[{\"name\":\"eth0\"}],\"ips\":[{\"address\":\"10.1.0.5/16\",\"interface\":1}]}", "prevResult: ips[0].interface")]
    [TestCase("\"prevResult\":{\"interfaces\":[{\"name\":\"eth0\"}],\"ips\":[{\"address\":\"10.1.0.5/16\",\"interface\":-1}]}", "prevResult: ips[0].interface")]
    [TestCase("\"prevResult\":{\"ips\":[{\"address\":\"10.1.0.5/16\",\"gateway\":\"10.1.0\"}]}", "prevResult.ips[0].gateway")]
    [TestCase("\"prevResult\":{\"routes\":[{\"dst\":\"0.0.0.0/0\",\"gw\":\"x\"}]}", "prevResult.routes[0].gw")]
    [TestCase("\"prevResult\":{\"routes\":[{\"gw\":\"10.0.0.1\"}]}", "prevResult.routes[0].dst")]
    [TestCase("\"prevResult\":{\"interfaces\":[{\"mac\":\"x\"}]}", "prevResult.interfaces[0].name")]
    [TestCase("\"prevResult\":[]", "prevResult")]
    public void Parse_MalformedPrevResult_Code6NamingField(string members, string msgStart)
    {
        var e = Fails(TestEnv.C11Plus(members));
        Assert.Multiple(() =>
        {
            Assert.That(e.Code, Is.EqualTo(CniErrorCode.DecodingFailure));
            Assert.That(e.Error.Msg, Does.StartWith(msgStart));
        });
    }

    [Test]
    public void Parse_V03PrevResultVersionContradictsAddress_Code6() =>
        Assert.That(
            Fails(TestEnv.C11Plus("\"prevResult\":{\"ips\":[{\"version\":\"6\",\"address\":\"10.1.0.5/16\"}]}", "0.4.0")).Error.Msg,
            Does.StartWith("prevResult.ips[0].version:"));

    [Test]
    public void Parse_Standalone_UnsupportedVersion_Code1() =>
        Assert.That(Fails(TestEnv.C11With("0.2.0")).Code, Is.EqualTo(CniErrorCode.IncompatibleCniVersion));
}
