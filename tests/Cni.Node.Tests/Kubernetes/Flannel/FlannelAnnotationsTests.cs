using System.Net;
using Cni.Node.Kubernetes.Flannel;
using k8s.Models;

namespace Cni.Node.Tests.Kubernetes.Flannel;

public sealed class FlannelAnnotationsTests
{
    private const string P = FlannelAnnotations.DefaultPrefix;
    private static readonly FlannelAnnotations Codec = new();

    private static V1Node Node(
        Dictionary<string, string>? annotations = null,
        string? podCidr = "10.244.2.0/24",
        IList<string>? podCidrs = null,
        string? internalIp = "192.0.2.20",
        string name = "peer1") =>
        new()
        {
            Metadata = new V1ObjectMeta { Name = name, Annotations = annotations },
            Spec = new V1NodeSpec { PodCIDR = podCidr, PodCIDRs = podCidrs },
            Status = new V1NodeStatus
            {
                Addresses = internalIp is null ? [] : [new V1NodeAddress { Address = internalIp, Type = "InternalIP" }, new V1NodeAddress { Address = "peer1", Type = "Hostname" }],
            },
        };

    private static Dictionary<string, string> Vxlan(string data = """{"VNI":4096,"VtepMAC":"0e:2a:c0:00:02:14"}""") => new()
    {
        [$"{P}/backend-type"] = "vxlan",
        [$"{P}/backend-data"] = data,
        [$"{P}/public-ip"] = "192.0.2.20",
        [$"{P}/kube-subnet-manager"] = "true",
    };

    [Test]
    public void ParsePeer_ValidVxlan_AllFields()
    {
        var result = Codec.ParsePeer(Node(Vxlan()));

        Assert.That(result.IsSuccess, Is.True, result.Error);
        Assert.That(result.Peer, Is.EqualTo(new PeerNode(
            "peer1", [IPNetwork.Parse("10.244.2.0/24")], FlannelBackendType.Vxlan, 4096,
            System.Net.NetworkInformation.PhysicalAddress.Parse("0E-2A-C0-00-02-14"), IPAddress.Parse("192.0.2.20"))));
        Assert.That(MacAddressText.ToDashForm(result.Peer!.VtepMac!), Is.EqualTo("0E-2A-C0-00-02-14"));
    }

    [TestCase("0e:2a:c0:00:02:14")]
    [TestCase("0E-2A-C0-00-02-14")]
    [TestCase("0E:2a:C0:00:02:14")]
    public void ParsePeer_MacForms_Normalized(string mac)
    {
        var result = Codec.ParsePeer(Node(Vxlan($$"""{"VNI":4096,"VtepMAC":"{{mac}}"}""")));

        Assert.That(MacAddressText.ToColonForm(result.Peer!.VtepMac!), Is.EqualTo("0e:2a:c0:00:02:14"));
    }

    [Test]
    public void ParsePeer_LowerCaseJsonKeys_Accepted()
    {
        var result = Codec.ParsePeer(Node(Vxlan("""{"vni":4097,"vtepMac":"0e:2a:c0:00:02:14"}""")));

        Assert.That(result.Peer?.Vni, Is.EqualTo(4097));
    }

    [Test]
    public void ParsePeer_HostGwNullData_NoVniNoMac()
    {
        var annotations = new Dictionary<string, string> { [$"{P}/backend-type"] = "host-gw", [$"{P}/backend-data"] = "null", [$"{P}/public-ip"] = "192.0.2.21" };

        var result = Codec.ParsePeer(Node(annotations));

        Assert.That(result.Peer, Is.EqualTo(new PeerNode("peer1", [IPNetwork.Parse("10.244.2.0/24")], FlannelBackendType.HostGw, null, null, IPAddress.Parse("192.0.2.21"))));
    }

    [Test]
    public void ParsePeer_DualStackPodCidrs_PreferredOverPodCidr()
    {
        var result = Codec.ParsePeer(Node(Vxlan(), podCidr: "10.9.9.0/24", podCidrs: ["10.244.2.0/24", "fd00:10:244:2::/64"]));

        Assert.That(result.Peer!.PodCidrs, Is.EqualTo(new[] { IPNetwork.Parse("10.244.2.0/24"), IPNetwork.Parse("fd00:10:244:2::/64") }));
    }

    [Test]
    public void ParsePeer_OverwriteBeatsPublicIp()
    {
        var annotations = Vxlan();
        annotations[$"{P}/public-ip-overwrite"] = "203.0.113.7";

        Assert.That(Codec.ParsePeer(Node(annotations)).Peer!.PublicIp, Is.EqualTo(IPAddress.Parse("203.0.113.7")));
    }

    [Test]
    public void ParsePeer_NoPublicIp_FallsBackToInternalIp()
    {
        var annotations = Vxlan();
        annotations.Remove($"{P}/public-ip");

        Assert.That(Codec.ParsePeer(Node(annotations, internalIp: "192.0.2.99")).Peer!.PublicIp, Is.EqualTo(IPAddress.Parse("192.0.2.99")));
    }

    [Test]
    public void ParsePeer_CustomPrefix_ReadsThoseAnnotations()
    {
        var codec = new FlannelAnnotations("wincni.example.com");
        var annotations = new Dictionary<string, string> { ["wincni.example.com/backend-type"] = "host-gw" };

        Assert.That(codec.ParsePeer(Node(annotations)).Peer!.BackendType, Is.EqualTo(FlannelBackendType.HostGw));
        Assert.That(Codec.ParsePeer(Node(annotations)).IsIncomplete, Is.True);
    }

    // Each malformed or missing input names the field it is about.
    [TestCase("backend-type", null, "flannel.alpha.coreos.com/backend-type", true)]
    [TestCase("backend-type", "udp", "flannel.alpha.coreos.com/backend-type", false)]
    [TestCase("backend-data", null, "flannel.alpha.coreos.com/backend-data", true)]
    [TestCase("backend-data", "{not json", "flannel.alpha.coreos.com/backend-data", false)]
    [TestCase("backend-data", "null", "flannel.alpha.coreos.com/backend-data", false)]
    [TestCase("backend-data", "[1]", "flannel.alpha.coreos.com/backend-data", false)]
    [TestCase("backend-data", """{"VtepMAC":"0e:2a:c0:00:02:14"}""", "flannel.alpha.coreos.com/backend-data.VNI", false)]
    [TestCase("backend-data", """{"VNI":"4096","VtepMAC":"0e:2a:c0:00:02:14"}""", "flannel.alpha.coreos.com/backend-data.VNI", false)]
    [TestCase("backend-data", """{"VNI":0,"VtepMAC":"0e:2a:c0:00:02:14"}""", "flannel.alpha.coreos.com/backend-data.VNI", false)]
    [TestCase("backend-data", """{"VNI":16777216,"VtepMAC":"0e:2a:c0:00:02:14"}""", "flannel.alpha.coreos.com/backend-data.VNI", false)]
    [TestCase("backend-data", """{"VNI":4096.5,"VtepMAC":"0e:2a:c0:00:02:14"}""", "flannel.alpha.coreos.com/backend-data.VNI", false)]
    [TestCase("backend-data", """{"VNI":4096}""", "flannel.alpha.coreos.com/backend-data.VtepMAC", false)]
    [TestCase("backend-data", """{"VNI":4096,"VtepMAC":"0e:2a:c0:00:02"}""", "flannel.alpha.coreos.com/backend-data.VtepMAC", false)]
    [TestCase("backend-data", """{"VNI":4096,"VtepMAC":"0e:2a-c0:00:02:14"}""", "flannel.alpha.coreos.com/backend-data.VtepMAC", false)]
    [TestCase("backend-data", """{"VNI":4096,"VtepMAC":"zz:2a:c0:00:02:14"}""", "flannel.alpha.coreos.com/backend-data.VtepMAC", false)]
    [TestCase("backend-data", """{"VNI":4096,"VtepMAC":42}""", "flannel.alpha.coreos.com/backend-data.VtepMAC", false)]
    [TestCase("public-ip", "not-an-ip", "flannel.alpha.coreos.com/public-ip", false)]
    [TestCase("public-ip", "fd00::1", "flannel.alpha.coreos.com/public-ip", false)]
    [TestCase("public-ip-overwrite", "300.1.1.1", "flannel.alpha.coreos.com/public-ip-overwrite", false)]
    public void ParsePeer_BadAnnotation_NamesField(string key, string? value, string expectedField, bool incomplete)
    {
        var annotations = Vxlan();
        if (value is null)
        {
            annotations.Remove($"{P}/{key}");
        }
        else
        {
            annotations[$"{P}/{key}"] = value;
        }

        var result = Codec.ParsePeer(Node(annotations));

        Assert.That(result.IsSuccess, Is.False);
        Assert.That(result.Field, Is.EqualTo(expectedField));
        Assert.That(result.IsIncomplete, Is.EqualTo(incomplete));
        var annotation = $"{P}/{key}";
        var subField = expectedField[annotation.Length..].TrimStart('.');
        Assert.That(result.Error, Does.Contain("'peer1'").And.Contain(annotation).And.Contain(subField));
    }

    [TestCase(null, new[] { "10.244.2.1/24" }, "spec.podCIDRs[0]", false)]
    [TestCase(null, new[] { "10.244.2.0/24", "bogus" }, "spec.podCIDRs[1]", false)]
    [TestCase("10.244.2.0/33", null, "spec.podCIDR", false)]
    [TestCase("10.244.2.0", null, "spec.podCIDR", false)]
    [TestCase(null, null, "spec.podCIDRs", true)]
    public void ParsePeer_BadPodCidr_NamesField(string? podCidr, string[]? podCidrs, string expectedField, bool incomplete)
    {
        var result = Codec.ParsePeer(Node(Vxlan(), podCidr: podCidr, podCidrs: podCidrs));

        Assert.That(result.Field, Is.EqualTo(expectedField));
        Assert.That(result.IsIncomplete, Is.EqualTo(incomplete));
        Assert.That(result.Error, Does.Contain(expectedField));
    }

    [Test]
    public void ParsePeer_NoPublicIpNoInternalIp_Missing()
    {
        var annotations = Vxlan();
        annotations.Remove($"{P}/public-ip");

        var result = Codec.ParsePeer(Node(annotations, internalIp: null));

        Assert.That(result.IsIncomplete, Is.True);
        Assert.That(result.Error, Does.Contain("InternalIP").And.Contain("public-ip"));
    }

    [Test]
    public void ParsePeer_NoName_NamesMetadataName()
    {
        Assert.That(Codec.ParsePeer(new V1Node()).Field, Is.EqualTo("metadata.name"));
    }

    [Test]
    public void Compose_Vxlan_FlannelShape()
    {
        var mac = System.Net.NetworkInformation.PhysicalAddress.Parse("AA-BB-CC-DD-EE-FF");

        var annotations = Codec.Compose(new LocalBackend(FlannelBackendType.Vxlan, 4096, mac), IPAddress.Parse("192.0.2.10"));

        Assert.That(annotations, Is.EquivalentTo(new Dictionary<string, string>
        {
            [$"{P}/backend-type"] = "vxlan",
            [$"{P}/backend-data"] = """{"VNI":4096,"VtepMAC":"aa:bb:cc:dd:ee:ff"}""",
            [$"{P}/public-ip"] = "192.0.2.10",
            [$"{P}/kube-subnet-manager"] = "true",
        }));
    }

    [Test]
    public void Compose_HostGw_NullData()
    {
        var annotations = Codec.Compose(new LocalBackend(FlannelBackendType.HostGw, 0, null), IPAddress.Parse("192.0.2.10"));

        Assert.That(annotations[$"{P}/backend-type"], Is.EqualTo("host-gw"));
        Assert.That(annotations[$"{P}/backend-data"], Is.EqualTo("null"));
    }

    [Test]
    public void Compose_OverwritePresent_ReplacesPublicIp()
    {
        var self = Node(new Dictionary<string, string> { [$"{P}/public-ip-overwrite"] = "203.0.113.1" });

        var annotations = Codec.Compose(new LocalBackend(FlannelBackendType.HostGw, 0, null), IPAddress.Parse("192.0.2.10"), self);

        Assert.That(annotations[$"{P}/public-ip"], Is.EqualTo("203.0.113.1"));
    }

    [Test]
    public void Compose_VxlanWithoutMac_Throws()
    {
        Assert.That(() => Codec.Compose(new LocalBackend(FlannelBackendType.Vxlan, 4096, null), IPAddress.Loopback), Throws.ArgumentException);
    }

    [Test]
    public void Compose_ThenParse_RoundTrips()
    {
        var mac = System.Net.NetworkInformation.PhysicalAddress.Parse("0E-2A-0A-00-00-01");
        var annotations = Codec.Compose(new LocalBackend(FlannelBackendType.Vxlan, 4097, mac), IPAddress.Parse("192.0.2.10"));

        var peer = Codec.ParsePeer(Node(new Dictionary<string, string>(annotations))).Peer;

        Assert.That(peer, Is.EqualTo(new PeerNode("peer1", [IPNetwork.Parse("10.244.2.0/24")], FlannelBackendType.Vxlan, 4097, mac, IPAddress.Parse("192.0.2.10"))));
    }

    [Test]
    public void SelectNodeIp_Precedence_ConfigThenAnnotationThenInternalIp()
    {
        var node = Node(new Dictionary<string, string> { [$"{P}/node-public-ip"] = "198.51.100.5" });

        Assert.That(Codec.SelectNodeIp(node, IPAddress.Parse("192.0.2.1"), out _), Is.EqualTo(IPAddress.Parse("192.0.2.1")));
        Assert.That(Codec.SelectNodeIp(node, null, out _), Is.EqualTo(IPAddress.Parse("198.51.100.5")));
        Assert.That(Codec.SelectNodeIp(Node(), null, out _), Is.EqualTo(IPAddress.Parse("192.0.2.20")));
    }

    [Test]
    public void SelectNodeIp_BadAnnotationOrNothing_NamesField()
    {
        var bad = Node(new Dictionary<string, string> { [$"{P}/node-public-ip"] = "x" });

        Assert.That(Codec.SelectNodeIp(bad, null, out var error), Is.Null);
        Assert.That(error, Does.Contain($"{P}/node-public-ip").And.Contain("'x'"));
        Assert.That(Codec.SelectNodeIp(Node(internalIp: null), null, out error), Is.Null);
        Assert.That(error, Does.Contain("InternalIP"));
    }

    [TestCase("")]
    [TestCase("Upper.Case")]
    [TestCase("a..b")]
    [TestCase("-a.b")]
    public void Constructor_BadPrefix_Throws(string prefix)
    {
        Assert.That(() => new FlannelAnnotations(prefix), Throws.ArgumentException.With.Message.Contains("prefix"));
    }

    [Test]
    public void ParsePeer_DualStack_PublicIpv6AnnotationElseIpv6InternalIpElseNone()
    {
        var annotated = Vxlan();
        annotated[$"{P}/public-ipv6"] = "2001:db8::20";
        var withInternal = Node(Vxlan());
        withInternal.Status.Addresses = [.. withInternal.Status.Addresses, new V1NodeAddress { Address = "2001:db8::99", Type = "InternalIP" }];
        var malformed = Vxlan();
        malformed[$"{P}/public-ipv6"] = "192.0.2.1";

        Assert.That(Codec.ParsePeer(Node(annotated)).Peer!.PublicIpv6, Is.EqualTo(IPAddress.Parse("2001:db8::20")));
        Assert.That(Codec.ParsePeer(withInternal).Peer!.PublicIpv6, Is.EqualTo(IPAddress.Parse("2001:db8::99")));
        Assert.That(Codec.ParsePeer(Node(Vxlan())).Peer!.PublicIpv6, Is.Null);
        Assert.That(Codec.ParsePeer(Node(malformed)).Peer!.PublicIpv6, Is.Null, "not IPv6: ignored, the IPv4 routes stand");
    }

    [Test]
    public void Compose_DualStackNode_PublishesPublicIpv6()
    {
        var annotations = Codec.Compose(new LocalBackend(FlannelBackendType.HostGw, 0, null), IPAddress.Parse("192.0.2.10"), nodeIpv6: IPAddress.Parse("2001:db8::10"));
        var single = Codec.Compose(new LocalBackend(FlannelBackendType.HostGw, 0, null), IPAddress.Parse("192.0.2.10"));

        Assert.That(annotations[$"{P}/public-ipv6"], Is.EqualTo("2001:db8::10"));
        Assert.That(single.ContainsKey($"{P}/public-ipv6"), Is.False);
    }
}
