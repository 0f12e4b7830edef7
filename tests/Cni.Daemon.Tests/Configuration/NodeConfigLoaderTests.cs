using System.Net;
using Cni.Daemon.Configuration;
using Cni.Node.Configuration;

namespace Cni.Daemon.Tests.Configuration;

[TestFixture]
public sealed class NodeConfigLoaderTests
{
    private const string DesignExample = """
        mode: overlay                  # or l2bridge
        networkName: wincni
        clusterCIDRs: [10.244.0.0/16]
        serviceCIDRs: [10.96.0.0/12]
        podCIDRs: [10.244.1.0/24]
        nodeIP: 192.0.2.10
        vxlan: {vni: 4096, port: 4789}
        mtu: 1450
        dsr: false
        stateDir: /var/lib/wincni
        socket: /run/wincni/wincnid.sock
        """;

    private static string Problems(string yaml) =>
        Assert.Throws<NodeConfigException>(() => NodeConfigLoader.Parse(yaml, "node.yaml"))!.Message;

    /// <summary>Inputs the node-config fuzz target found (tests/Cni.Fuzz): YamlDotNet threw InvalidOperationException or
    /// ArgumentException, not YamlException, and wincnid ended in a stack trace.</summary>
    [TestCase("mo: [l\ne\n", TestName = "Parse_UnterminatedFlowSequence_NodeConfigException")]
    [TestCase("\0\0: \0\0\0\u001a", TestName = "Parse_NulBytesAsKeyAndValue_NodeConfigException")]
    [TestCase(" !![l\0\u009a", TestName = "Parse_MalformedGlobalTag_NodeConfigException")]
    public void Parse_FuzzFinding_NodeConfigException(string yaml)
    {
        Assert.That(Problems(yaml), Does.Contain("not valid YAML/JSON"));
    }

    [Test]
    public void Parse_DesignDocumentExample_ReadsEveryKey()
    {
        var options = NodeConfigLoader.Parse(DesignExample, "node.yaml");

        Assert.Multiple(() =>
        {
            Assert.That(options.Mode, Is.EqualTo(NetworkMode.Overlay));
            Assert.That(options.NetworkName, Is.EqualTo("wincni"));
            Assert.That(options.ClusterCidrs, Is.EqualTo(new[] { IPNetwork.Parse("10.244.0.0/16") }));
            Assert.That(options.ServiceCidrs, Is.EqualTo(new[] { IPNetwork.Parse("10.96.0.0/12") }));
            Assert.That(options.PodCidrs, Is.EqualTo(new[] { IPNetwork.Parse("10.244.1.0/24") }));
            Assert.That(options.NodeIp, Is.EqualTo(IPAddress.Parse("192.0.2.10")));
            Assert.That(options.Vxlan.Vni, Is.EqualTo(4096));
            Assert.That(options.Vxlan.Port, Is.EqualTo(4789));
            Assert.That(options.Mtu, Is.EqualTo(1450));
            Assert.That(options.ServiceProxy.Dsr, Is.EqualTo(DsrMode.Off));
            Assert.That(options.StateDir, Is.EqualTo("/var/lib/wincni"));
            Assert.That(options.Socket, Is.EqualTo("/run/wincni/wincnid.sock"));
        });
    }

    [Test]
    public void Parse_NoServiceProxySection_EnabledWithKubernetesAndDsrAuto()
    {
        var proxy = NodeConfigLoader.Parse("mode: overlay", "node.yaml").ServiceProxy;

        Assert.Multiple(() =>
        {
            Assert.That(proxy.Enabled, Is.Null);
            Assert.That(proxy.IsEnabled(hasKubernetesAccess: true), Is.True);
            Assert.That(proxy.IsEnabled(hasKubernetesAccess: false), Is.False);
            Assert.That(proxy.Dsr, Is.EqualTo(DsrMode.Auto));
            Assert.That(proxy.MinSyncInterval, Is.EqualTo(TimeSpan.FromSeconds(1)));
            Assert.That(proxy.ResyncPeriod, Is.EqualTo(TimeSpan.FromSeconds(30)));
            Assert.That(proxy.MaxParallelWrites, Is.Null, "the dataplane decides");
            Assert.That(proxy.ParallelWritesFor(batchingDataplane: false), Is.EqualTo(8));
            Assert.That(proxy.ParallelWritesFor(batchingDataplane: true), Is.EqualTo(64));
        });
    }

    [Test]
    public void Parse_ServiceProxySection_ReadsEveryKey()
    {
        var proxy = NodeConfigLoader.Parse(
            "serviceProxy:\n  enabled: false\n  dsr: off\n  minSyncPeriodMilliseconds: 250\n  syncPeriodSeconds: 60\n  maxParallelWrites: 4\n", "node.yaml").ServiceProxy;

        Assert.Multiple(() =>
        {
            Assert.That(proxy.Enabled, Is.False);
            Assert.That(proxy.IsEnabled(hasKubernetesAccess: true), Is.False);
            Assert.That(proxy.Dsr, Is.EqualTo(DsrMode.Off));
            Assert.That(proxy.MinSyncInterval, Is.EqualTo(TimeSpan.FromMilliseconds(250)));
            Assert.That(proxy.ResyncPeriod, Is.EqualTo(TimeSpan.FromSeconds(60)));
            Assert.That(proxy.MaxParallelWrites, Is.EqualTo(4));
            Assert.That(proxy.ParallelWritesFor(batchingDataplane: true), Is.EqualTo(4), "configured wins on every dataplane");
        });
    }

    [TestCase("dsr: true", DsrMode.On)]
    [TestCase("dsr: false", DsrMode.Off)]
    [TestCase("serviceProxy: {dsr: on}", DsrMode.On)]
    [TestCase("serviceProxy: {dsr: auto}", DsrMode.Auto)]
    public void Parse_DsrKeys_SetTheServiceProxysDsrMode(string yaml, DsrMode expected)
    {
        Assert.That(NodeConfigLoader.Parse(yaml, "node.yaml").ServiceProxy.Dsr, Is.EqualTo(expected));
    }

    [Test]
    public void Parse_Json_ReadsTheSameKeys()
    {
        var options = NodeConfigLoader.Parse("""{"mode":"l2bridge","podCIDRs":["10.244.2.0/24","fd00:10:244:2::/64"],"dns":{"nameservers":["10.96.0.10"],"search":["svc.cluster.local"]}}""", "node.json");

        Assert.That(options.Mode, Is.EqualTo(NetworkMode.L2Bridge));
        Assert.That(options.PodCidrs, Has.Count.EqualTo(2));
        Assert.That(options.Dns.Nameservers, Is.EqualTo(new[] { "10.96.0.10" }));
    }

    [Test]
    public void Parse_EmptyDocument_Rejected()
    {
        Assert.That(Problems(""), Does.Contain("one mapping of keys"));
    }

    [Test]
    public void Parse_MisspelledKey_NamesKeyLineAndSuggestion()
    {
        var message = Problems("mode: overlay\npodCidrs: [10.244.1.0/24]\n");

        Assert.That(message, Does.Contain("line 2").And.Contain("unknown key 'podCidrs'").And.Contain("did you mean 'podCIDRs'"));
    }

    [Test]
    public void Parse_UnknownNestedKey_NamesFullPath()
    {
        Assert.That(Problems("vxlan: {vnii: 5000}"), Does.Contain("unknown key 'vxlan.vnii'"));
    }

    [TestCase("vxlan: {vni: 4095}", "vxlan.vni: 4095 is outside 4096..16777215")]
    [TestCase("vxlan: {vni: 70000}", "vxlan.vni: 70000 is above 65535: HNS keeps a RemoteSubnetRoute's IsolationId in 16 bits")]
    [TestCase("vxlan: {vni: 16777216}", "vxlan.vni: 16777216 is outside 4096..16777215")]
    [TestCase("vxlan: {port: 0}", "vxlan.port: 0 is outside 1..65535")]
    [TestCase("mode: nat2", "mode: 'nat2' is not one of l2bridge, overlay, nat, transparent, l2tunnel")]
    [TestCase("mtu: big", "mtu: 'big' is not a whole number")]
    [TestCase("dsr: maybe", "dsr: 'maybe' is not true or false")]
    [TestCase("nodeIP: 10.0.0.1/24", "nodeIP: '10.0.0.1/24' is not an IP address")]
    [TestCase("podCIDRs: [10.244.1.5/24]", "podCIDRs[0]: '10.244.1.5/24' is not a CIDR")]
    [TestCase("podCIDRs: 10.244.1.0/24", "podCIDRs: must be a list")]
    [TestCase("networkName: -bad", "networkName: '-bad' must start with a letter or digit")]
    [TestCase("stateDir: relative/dir", "stateDir: 'relative/dir' must be an absolute path")]
    [TestCase("healthAddress: localhost", "healthAddress: 'localhost' is not an address:port")]
    [TestCase("log: {level: loud}", "log.level: 'loud' is not one of")]
    [TestCase("maxConcurrentHcnCalls: 0", "maxConcurrentHcnCalls: 0 is outside 1..256")]
    [TestCase("eventGracePeriodSeconds: 7200", "eventGracePeriodSeconds: 7200 is outside 0..3600")]
    [TestCase("dns: {nameservers: [dns.example]}", "dns.nameservers[0]: 'dns.example' is not an IP address")]
    [TestCase("serviceProxy: {enabled: maybe}", "serviceProxy.enabled: 'maybe' is not true or false")]
    [TestCase("serviceProxy: {dsr: sometimes}", "serviceProxy.dsr: 'sometimes' is not one of auto, on, off")]
    [TestCase("serviceProxy: {minSyncPeriodMilliseconds: -1}", "serviceProxy.minSyncPeriodMilliseconds: -1 is outside 0..60000")]
    [TestCase("serviceProxy: {syncPeriodSeconds: 0}", "serviceProxy.syncPeriodSeconds: 0 is outside 1..3600")]
    [TestCase("serviceProxy: {maxParallelWrites: 300}", "serviceProxy.maxParallelWrites: 300 is outside 1..256")]
    [TestCase("serviceProxy: {nodePortAddresses: []}", "unknown key 'serviceProxy.nodePortAddresses'")]
    [TestCase("dsr: true\nserviceProxy: {dsr: off}", "dsr: give either dsr or serviceProxy.dsr, not both")]
    public void Parse_BadValue_NamesTheKey(string yaml, string expected)
    {
        Assert.That(Problems(yaml), Does.Contain(expected));
    }

    [Test]
    public void Parse_EventGracePeriod_SecondsOrThe30SecondDefault()
    {
        Assert.That(NodeConfigLoader.Parse("eventGracePeriodSeconds: 5\n", "n.yaml").EventGracePeriod, Is.EqualTo(TimeSpan.FromSeconds(5)));
        Assert.That(NodeConfigLoader.Parse("mtu: 1450\n", "n.yaml").EventGracePeriod, Is.EqualTo(TimeSpan.FromSeconds(30)));
    }

    [Test]
    public void Parse_SeveralProblems_ReportsAllAtOnce()
    {
        var problems = Assert.Throws<NodeConfigException>(() => NodeConfigLoader.Parse("mtu: x\nvxlan: {vni: 1}\nfoo: 1\n", "n.yaml"))!.Problems;

        Assert.That(problems, Has.Count.EqualTo(3));
    }

    [Test]
    public void Parse_PodCidrOutsideClusterCidrs_Rejected()
    {
        Assert.That(Problems("clusterCIDRs: [10.244.0.0/16]\npodCIDRs: [10.50.1.0/24]"), Does.Contain("not inside any of clusterCIDRs"));
    }

    [Test]
    public void Parse_ServiceCidrOverlappingPodCidr_Rejected()
    {
        Assert.That(Problems("serviceCIDRs: [10.244.0.0/16]\npodCIDRs: [10.244.1.0/24]"), Does.Contain("overlaps podCIDRs"));
    }

    [Test]
    public void Parse_NodeIpInsidePodCidr_RejectedNamingKeyAndLine()
    {
        // The pod network would hand the node's own address to a pod.
        var message = Problems("mode: l2bridge\nclusterCIDRs: [10.244.0.0/16]\npodCIDRs: [10.244.1.0/24]\nnodeIP: 10.244.1.7\n");

        Assert.That(message, Does.Contain("line 4: nodeIP: 10.244.1.7 is inside podCIDRs[0] 10.244.1.0/24"));
    }

    [Test]
    public void Parse_ClusterCidrOverlappingServiceCidr_RejectedNamingKeyAndLine()
    {
        var message = Problems("clusterCIDRs:\n  - 10.244.0.0/16\n  - 10.96.0.0/16\nserviceCIDRs: [10.96.0.0/12]\npodCIDRs: [10.244.1.0/24]\n");

        Assert.That(message, Does.Contain("line 3: clusterCIDRs[1]: 10.96.0.0/16 overlaps serviceCIDRs 10.96.0.0/12"));
        Assert.That(message, Does.Not.Contain("clusterCIDRs[0]"));
    }

    [TestCase("l2bridge", "10.244.1.0/31")]
    [TestCase("l2bridge", "10.244.1.0/32")]
    [TestCase("overlay", "10.244.1.0/31")]
    [TestCase("overlay", "10.244.1.0/32")]
    public void Parse_PodCidrTooSmallForTheMode_RejectedNamingItemAndLine(string mode, string cidr)
    {
        var message = Problems($"mode: {mode}\nclusterCIDRs: [10.244.0.0/16]\npodCIDRs: [{cidr}]\n");

        Assert.That(message, Does.Contain($"line 3: podCIDRs[0]: {cidr} is too small"));
        Assert.That(message, Does.Not.Contain("(Parameter"));
    }

    [Test]
    public void Parse_OverlayWithIpv6PodCidr_Rejected()
    {
        Assert.That(Problems("mode: overlay\npodCIDRs: [fd00::/64]"), Does.Contain("IPv4 only"));
    }

    [Test]
    public void Parse_SocketPathTooLongForAfUnix_Rejected()
    {
        Assert.That(Problems($"socket: /{new string('s', 120)}"), Does.Contain("107 bytes"));
    }

    [Test]
    public void Parse_DuplicateKey_Rejected()
    {
        Assert.That(() => NodeConfigLoader.Parse("mtu: 1400\nmtu: 1500\n", "n.yaml"), Throws.InstanceOf<NodeConfigException>());
    }

    [Test]
    public void Parse_BrokenYaml_NamesLine()
    {
        Assert.That(Problems("mode: [overlay\n"), Does.Contain("not valid YAML/JSON"));
    }

    [Test]
    public void LoadFile_Missing_SaysCannotRead()
    {
        var message = Assert.Throws<NodeConfigException>(() => NodeConfigLoader.LoadFile("/nonexistent/node.yaml"))!.Message;

        Assert.That(message, Does.Contain("cannot read the file"));
    }

    private const string TransparentConfig = """
        mode: transparent
        clusterCIDRs: [10.244.0.0/16]
        nodeIP: 192.168.50.10
        adapterName: Ethernet
        staticPool: {subnet: 192.168.50.0/24, gateway: 192.168.50.1, rangeStart: 192.168.50.100, rangeEnd: 192.168.50.149}
        """;

    [TestCase("nat", NetworkMode.Nat)]
    [TestCase("l2tunnel", NetworkMode.L2Tunnel)]
    public void Parse_NewModes_Accepted(string name, NetworkMode expected)
    {
        Assert.That(NodeConfigLoader.Parse($"mode: {name}\npodCIDRs: [10.244.1.0/24]", "node.yaml").Mode, Is.EqualTo(expected));
    }

    [Test]
    public void Parse_TransparentWithStaticPool_PoolIsTheOnlyPodCidr()
    {
        var options = NodeConfigLoader.Parse(TransparentConfig, "node.yaml");

        Assert.Multiple(() =>
        {
            Assert.That(options.Mode, Is.EqualTo(NetworkMode.Transparent));
            Assert.That(options.StaticPool!.Gateway, Is.EqualTo(IPAddress.Parse("192.168.50.1")));
            Assert.That(options.StaticPool.RangeStart, Is.EqualTo(IPAddress.Parse("192.168.50.100")));
            Assert.That(options.StaticPool.RangeEnd, Is.EqualTo(IPAddress.Parse("192.168.50.149")));
            Assert.That(options.PodCidrs, Is.EqualTo(new[] { IPNetwork.Parse("192.168.50.0/24") }));
        });
    }

    [TestCase("mode: transparent", "staticPool: transparent mode needs staticPool")]
    [TestCase("mode: overlay\nstaticPool: {subnet: 192.168.50.0/24, gateway: 192.168.50.1, rangeStart: 192.168.50.100, rangeEnd: 192.168.50.149}", "staticPool: only transparent mode")]
    [TestCase("mode: transparent\nstaticPool: {subnet: 192.168.50.0/24, gateway: 192.168.50.1, rangeStart: 192.168.50.100}", "staticPool.rangeEnd: required")]
    [TestCase("mode: transparent\nstaticPool: {subnet: 192.168.50.7/24, gateway: 192.168.50.1, rangeStart: 192.168.50.100, rangeEnd: 192.168.50.149}", "staticPool.subnet: '192.168.50.7/24' is not a CIDR")]
    [TestCase("mode: transparent\nstaticPool: {subnet: 192.168.50.0/24, gateway: 192.168.60.1, rangeStart: 192.168.50.100, rangeEnd: 192.168.50.149}", "staticPool.gateway: 192.168.60.1 is not inside staticPool.subnet")]
    [TestCase("mode: transparent\nnodeIP: 192.168.50.120\nstaticPool: {subnet: 192.168.50.0/24, gateway: 192.168.50.1, rangeStart: 192.168.50.100, rangeEnd: 192.168.50.149}", "nodeIP: 192.168.50.120 is inside staticPool")]
    [TestCase("mode: transparent\npodCIDRs: [10.244.1.0/24]\nstaticPool: {subnet: 192.168.50.0/24, gateway: 192.168.50.1, rangeStart: 192.168.50.100, rangeEnd: 192.168.50.149}", "podCIDRs: transparent mode takes the pods' addresses from staticPool")]
    [TestCase("mode: nat\npodCIDRs: [fd00::/64]", "podCIDRs: fd00::/64 is IPv6; nat mode serves IPv4 only")]
    public void Parse_BadModeConfig_ErrorNamesTheKey(string yaml, string expected)
    {
        Assert.That(Problems(yaml), Does.Contain(expected));
    }
}
