using System.Net;
using System.Text;
using System.Text.Json;
using Cni.Spec.Results;

namespace Cni.Spec.Tests.Results;

[TestFixture]
public sealed class CniResultConversionTests
{
    private static readonly string[] Versions = ["0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0"];

    /// <summary>A 1.1.0 result with every field that containernetworking/cni SPEC.md 1.1.0 defines.</summary>
    private const string Full110 =
        """{"cniVersion":"1.1.0","interfaces":[{"name":"cni0","mac":"00:11:22:33:44:55"},{"name":"eth0","mac":"0a:58:0a:01:00:05","mtu":1450,"sandbox":"/var/run/netns/cni-x","socketPath":"/run/vhost/sock0","pciID":"0000:04:00.5"}],"ips":[{"interface":1,"address":"10.1.0.5/16","gateway":"10.1.0.1"}],"routes":[{"dst":"0.0.0.0/0","gw":"10.1.0.1","mtu":1400,"advmss":1360,"priority":100,"table":100,"scope":0}],"dns":{"nameservers":["10.96.0.10"],"domain":"cluster.local","search":["svc.cluster.local"],"options":["ndots:5"]}}""";

    private static string Text(byte[] bytes) => Encoding.UTF8.GetString(bytes);

    private static CniResult Parse(string json, string? assumed = null) => CniJson.ParseResult(Encoding.UTF8.GetBytes(json), assumed);

    /// <summary>A result whose information every version can carry (no 1.1-only fields, a non-empty dns).</summary>
    private static CniResult Portable(string version) => new()
    {
        CniVersion = version,
        Interfaces =
        [
            new ResultInterface { Name = "cni0", Mac = "00:11:22:33:44:55" },
            new ResultInterface { Name = "eth0", Mac = "0a:58:0a:01:00:05", Sandbox = "31b673d2-2b52-480a-8ca2-ffd04ffb4a68" },
        ],
        Ips =
        [
            new ResultIpConfig { Address = IpAddressWithPrefix.Parse("10.1.0.5/16"), Gateway = IPAddress.Parse("10.1.0.1"), Interface = 1 },
            new ResultIpConfig { Address = IpAddressWithPrefix.Parse("fd00:10:1::5/64"), Interface = 1 },
            new ResultIpConfig { Address = IpAddressWithPrefix.Parse("192.168.7.9/32") },
        ],
        Routes =
        [
            new ResultRoute { Dst = IpAddressWithPrefix.Parse("0.0.0.0/0"), Gw = IPAddress.Parse("10.1.0.1") },
            new ResultRoute { Dst = IpAddressWithPrefix.Parse("::/0") },
        ],
        Dns = new CniDns { Nameservers = ["10.96.0.10"], Domain = "cluster.local", Search = ["svc.cluster.local"], Options = ["ndots:5"] },
    };

    [Test]
    public void Serialize_Full110_IsReferenceExampleExactly() =>
        Assert.That(Text(CniJson.Serialize(Parse(Full110))), Is.EqualTo(Full110));

    [Test]
    public void Serialize_Full110As100_DropsOnly11Fields() =>
        Assert.That(
            Text(CniJson.Serialize(Parse(Full110), "1.0.0")),
            Is.EqualTo("""{"cniVersion":"1.0.0","interfaces":[{"name":"cni0","mac":"00:11:22:33:44:55"},{"name":"eth0","mac":"0a:58:0a:01:00:05","sandbox":"/var/run/netns/cni-x"}],"ips":[{"interface":1,"address":"10.1.0.5/16","gateway":"10.1.0.1"}],"routes":[{"dst":"0.0.0.0/0","gw":"10.1.0.1"}],"dns":{"nameservers":["10.96.0.10"],"domain":"cluster.local","search":["svc.cluster.local"],"options":["ndots:5"]}}"""));

    [TestCase("0.3.0")]
    [TestCase("0.3.1")]
    [TestCase("0.4.0")]
    public void Serialize_Full110AsV03_AddsVersionDropsNewFields(string version) =>
        Assert.That(
            Text(CniJson.Serialize(Parse(Full110), version)),
            Is.EqualTo("{\"cniVersion\":\"" + version + "\"," + """ "interfaces":[{"name":"cni0","mac":"00:11:22:33:44:55"},{"name":"eth0","mac":"0a:58:0a:01:00:05","sandbox":"/var/run/netns/cni-x"}],"ips":[{"version":"4","interface":1,"address":"10.1.0.5/16","gateway":"10.1.0.1"}],"routes":[{"dst":"0.0.0.0/0","gw":"10.1.0.1"}],"dns":{"nameservers":["10.96.0.10"],"domain":"cluster.local","search":["svc.cluster.local"],"options":["ndots:5"]}}""".TrimStart()));

    [Test]
    public void Serialize_ReferenceExample040_RoundTripsExactly()
    {
        const string v040 = """{"cniVersion":"0.4.0","interfaces":[{"name":"eth0","mac":"0a:58:0a:01:00:05","sandbox":"/x"}],"ips":[{"version":"4","interface":0,"address":"10.1.0.5/16","gateway":"10.1.0.1"}],"routes":[{"dst":"0.0.0.0/0"}],"dns":{}}""";
        Assert.That(Text(CniJson.Serialize(Parse(v040))), Is.EqualTo(v040));
    }

    [Test]
    public void Serialize_EmptyDnsIn1x_LeftOut()
    {
        var result = Parse("""{"cniVersion":"0.4.0","ips":[{"version":"6","address":"fd00::5/64"}],"dns":{}}""");
        Assert.Multiple(() =>
        {
            Assert.That(Text(CniJson.Serialize(result, "1.1.0")), Is.EqualTo("""{"cniVersion":"1.1.0","ips":[{"address":"fd00::5/64"}]}"""));
            Assert.That(Text(CniJson.Serialize(result, "1.0.0")), Is.EqualTo("""{"cniVersion":"1.0.0","ips":[{"address":"fd00::5/64"}]}"""));
        });
    }

    [Test]
    public void Serialize_V03_VersionDerivedFromFamily()
    {
        var json = Text(CniJson.Serialize(Portable("0.4.0")));
        using var doc = JsonDocument.Parse(json);
        var versions = doc.RootElement.GetProperty("ips").EnumerateArray().Select(ip => ip.GetProperty("version").GetString()).ToArray();
        Assert.That(versions, Is.EqualTo(new[] { "4", "6", "4" }));
    }

    [Test]
    public void Serialize_1x_HasNoIpVersion([Values("1.0.0", "1.1.0")] string version)
    {
        using var doc = JsonDocument.Parse(CniJson.Serialize(Portable(version)));
        Assert.That(doc.RootElement.GetProperty("ips").EnumerateArray().Any(ip => ip.TryGetProperty("version", out _)), Is.False);
    }

    [Test]
    public void RoundTrip_PortableResult_ExactAcrossEveryVersionPair()
    {
        foreach (var from in Versions)
        {
            var original = Text(CniJson.Serialize(Portable(from)));
            foreach (var to in Versions)
            {
                var converted = CniJson.Serialize(Parse(original), to);
                var back = Text(CniJson.Serialize(CniJson.ParseResult(converted), from));
                Assert.That(back, Is.EqualTo(original), from + " -> " + to + " -> " + from);
            }
        }
    }

    [Test]
    public void RoundTrip_Full110Through100_LosesOnly11Fields()
    {
        var via100 = CniJson.ParseResult(CniJson.Serialize(Parse(Full110), "1.0.0"));
        var back = CniJson.ParseResult(CniJson.Serialize(via100, "1.1.0"));
        Assert.Multiple(() =>
        {
            Assert.That(back.Interfaces[1].Mtu, Is.Null);
            Assert.That(back.Interfaces[1].PciId, Is.Null);
            Assert.That(back.Routes[0].Table, Is.Null);
            Assert.That(back.Interfaces[1].Sandbox, Is.EqualTo("/var/run/netns/cni-x"));
            Assert.That(back.Ips[0].Interface, Is.EqualTo(1));
        });
    }

    [Test]
    public void Parse_11FieldsUnder100Label_KeptForLaterUpConversion()
    {
        // The reference library's 1.0.0 output can carry 1.1 fields (T08); a reader ignores nothing it can use.
        var result = Parse("""{"cniVersion":"1.0.0","interfaces":[{"name":"eth0","mtu":1450}],"routes":[{"dst":"0.0.0.0/0","table":0,"scope":253}]}""");
        Assert.Multiple(() =>
        {
            Assert.That(Text(CniJson.Serialize(result)), Is.EqualTo("""{"cniVersion":"1.0.0","interfaces":[{"name":"eth0"}],"routes":[{"dst":"0.0.0.0/0"}]}"""));
            Assert.That(Text(CniJson.Serialize(result, "1.1.0")), Is.EqualTo("""{"cniVersion":"1.1.0","interfaces":[{"name":"eth0","mtu":1450}],"routes":[{"dst":"0.0.0.0/0","table":0,"scope":253}]}"""));
        });
    }

    [Test]
    public void Parse_UnknownKeys_Ignored() =>
        Assert.That(
            Text(CniJson.Serialize(Parse("""{"cniVersion":"1.1.0","future":1,"ips":[{"address":"10.0.0.1/8","weird":true}],"interfaces":[]}"""))),
            Is.EqualTo("""{"cniVersion":"1.1.0","ips":[{"address":"10.0.0.1/8"}]}"""));

    [Test]
    public void Parse_NoVersion_UsesAssumed() =>
        Assert.That(Parse("""{"ips":[{"address":"10.0.0.1/8"}]}""", "0.3.1").CniVersion, Is.EqualTo("0.3.1"));

    [TestCase("""{"ips":[]}""")]
    [TestCase("""{"cniVersion":"0.2.0","ip4":{"ip":"10.0.0.1/8"}}""")]
    [TestCase("""{"cniVersion":"2.0.0"}""")]
    [TestCase("""{"cniVersion":"1.1"}""")]
    public void Parse_UnknownOrMissingVersion_Code6(string json) =>
        Assert.That(Assert.Throws<CniException>(() => Parse(json))!.Code, Is.EqualTo(CniErrorCode.DecodingFailure));

    [Test]
    public void ConvertTo_UnknownVersion_Code1() =>
        Assert.That(Assert.Throws<CniException>(() => Portable("1.1.0").ConvertTo("0.2.0"))!.Code, Is.EqualTo(CniErrorCode.IncompatibleCniVersion));

    [TestCase(2)]
    [TestCase(3)]
    [TestCase(-1)]
    public void Serialize_InterfaceIndexOutOfRange_Throws(int index)
    {
        var result = Portable("1.1.0") with
        {
            Ips = [new ResultIpConfig { Address = IpAddressWithPrefix.Parse("10.1.0.5/16"), Interface = index }],
        };
        var e = Assert.Throws<CniException>(() => CniJson.Serialize(result));
        Assert.That(e!.Error.Msg, Does.Contain("ips[0].interface"));
    }

    [Test]
    public void Serialize_NegativeRouteField_Throws()
    {
        var result = Portable("1.1.0") with { Routes = [new ResultRoute { Dst = IpAddressWithPrefix.Parse("0.0.0.0/0"), Table = -1 }] };
        Assert.That(() => CniJson.Serialize(result), Throws.TypeOf<CniException>().With.Message.Contain("routes[0]"));
    }

    [TestCase("10.1.0.5", 33)]
    [TestCase("fd00::5", 129)]
    [TestCase("fd00::5", -1)]
    public void Serialize_PrefixBuiltOutOfRange_Throws(string address, int prefix)
    {
        var result = new CniResult { CniVersion = "1.1.0", Ips = [new ResultIpConfig { Address = new IpAddressWithPrefix(IPAddress.Parse(address), prefix) }] };
        Assert.That(() => CniJson.Serialize(result), Throws.TypeOf<CniException>().With.Message.Contain("ips[0].address"));
    }

    [Test]
    public void Serialize_Ipv6WithScope_Throws()
    {
        var result = new CniResult { CniVersion = "1.1.0", Routes = [new ResultRoute { Dst = new IpAddressWithPrefix(IPAddress.Parse("fe80::1%2"), 64) }] };
        Assert.That(() => CniJson.Serialize(result), Throws.TypeOf<CniException>().With.Message.Contain("routes[0].dst"));
    }

    [Test]
    public void Serialize_IndexWithoutInterfaces_Throws()
    {
        var result = new CniResult
        {
            CniVersion = "1.0.0",
            Ips = [new ResultIpConfig { Address = IpAddressWithPrefix.Parse("10.1.0.5/16"), Interface = 0 }],
        };
        Assert.That(() => CniJson.Serialize(result), Throws.TypeOf<CniException>());
    }

    [Test]
    public void Serialize_IpamStyleResultWithoutInterfaces_Allowed() =>
        Assert.That(
            Text(CniJson.Serialize(new CniResult { CniVersion = "1.1.0", Ips = [new ResultIpConfig { Address = IpAddressWithPrefix.Parse("10.1.0.5/16") }] })),
            Is.EqualTo("""{"cniVersion":"1.1.0","ips":[{"address":"10.1.0.5/16"}]}"""));

    [Test]
    public void Serialize_UnsupportedLabel_Throws() =>
        Assert.That(() => CniJson.Serialize(Portable("0.2.0")), Throws.TypeOf<CniException>());

    [TestCase("""{"cniVersion":"1.1.0","ips":[{"address":"10.1.0.5"}]}""", "ips[0].address")]
    [TestCase("""{"cniVersion":"1.1.0","ips":[{"address":"10.1.0.5/40"}]}""", "ips[0].address")]
    [TestCase("""{"cniVersion":"1.1.0","ips":[{"address":"010.1.0.5/16"}]}""", "ips[0].address")]
    [TestCase("""{"cniVersion":"1.1.0","ips":[{"address":"10.1.0.5/16","gateway":"10.1"}]}""", "ips[0].gateway")]
    [TestCase("""{"cniVersion":"1.1.0","ips":[{}]}""", "ips[0].address")]
    [TestCase("""{"cniVersion":"1.1.0","ips":[{"address":"10.1.0.5/16","interface":"0"}]}""", "ips[0].interface")]
    [TestCase("""{"cniVersion":"1.1.0","routes":[{"dst":"10.0.0.0"}]}""", "routes[0].dst")]
    [TestCase("""{"cniVersion":"1.1.0","routes":[{"dst":"10.0.0.0/8","scope":256}]}""", "routes[0].scope")]
    [TestCase("""{"cniVersion":"1.1.0","interfaces":[{"name":"eth0","mtu":-1}]}""", "interfaces[0].mtu")]
    [TestCase("""{"cniVersion":"1.1.0","interfaces":{}}""", "interfaces")]
    [TestCase("""{"cniVersion":"1.1.0","dns":{"nameservers":[1]}}""", "dns.nameservers[0]")]
    public void Parse_Malformed_Code6NamingField(string json, string path)
    {
        var e = Assert.Throws<CniException>(() => Parse(json));
        Assert.Multiple(() =>
        {
            Assert.That(e!.Code, Is.EqualTo(CniErrorCode.DecodingFailure));
            Assert.That(e.Error.Msg, Does.Contain(path));
        });
    }

    [Test]
    public void Parse_Ipv6Address_CanonicalisedLikeGo() =>
        Assert.That(
            Text(CniJson.Serialize(Parse("""{"cniVersion":"1.1.0","ips":[{"address":"2001:DB8:0:0::5/64","gateway":"2001:db8::1"}]}"""))),
            Is.EqualTo("""{"cniVersion":"1.1.0","ips":[{"address":"2001:db8::5/64","gateway":"2001:db8::1"}]}"""));
}
