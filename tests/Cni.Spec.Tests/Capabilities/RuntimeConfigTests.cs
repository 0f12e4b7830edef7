using Cni.Spec.Tests.Support;

namespace Cni.Spec.Tests.Capabilities;

/// <summary>runtimeConfig through the request parser: key casing (containerd PascalCase) and value validation.</summary>
[TestFixture]
public sealed class RuntimeConfigTests
{
    private static Cni.Spec.Capabilities.RuntimeConfig Parse(string runtimeConfig) =>
        NetworkConfig.Parse(TestEnv.Bytes(TestEnv.C11Plus("\"runtimeConfig\":" + runtimeConfig))).RuntimeConfig!;

    private static CniException Fails(string runtimeConfig) =>
        Assert.Throws<CniException>(() => Parse(runtimeConfig))!;

    [TestCase("""{"portMappings":[{"hostPort":8080,"containerPort":80,"protocol":"tcp","hostIP":"10.0.0.1"}]}""")]
    [TestCase("""{"portMappings":[{"HostPort":8080,"ContainerPort":80,"Protocol":"TCP","HostIP":"10.0.0.1"}]}""")]
    [TestCase("""{"PORTMAPPINGS":[{"HOSTPORT":8080,"CONTAINERPORT":80,"PROTOCOL":"Tcp","HOSTIP":"10.0.0.1"}]}""")]
    [TestCase("""{"PortMappings":[{"hostport":8080,"containerport":80,"protocol":"tcp","hostip":"10.0.0.1"}]}""")]
    public void PortMappings_AnyKeyCasing_Parsed(string json)
    {
        var mapping = Parse(json).PortMappings!.Single();
        Assert.Multiple(() =>
        {
            Assert.That(mapping.HostPort, Is.EqualTo(8080));
            Assert.That(mapping.ContainerPort, Is.EqualTo(80));
            Assert.That(mapping.Protocol, Is.EqualTo("tcp"));
            Assert.That(mapping.HostIp, Is.EqualTo("10.0.0.1"));
        });
    }

    [Test]
    public void PortMappings_ContainerdEmptyHostIpAndNoProtocol_Defaults()
    {
        var mapping = Parse("""{"portMappings":[{"HostPort":8080,"ContainerPort":80,"HostIP":""}]}""").PortMappings!.Single();
        Assert.Multiple(() =>
        {
            Assert.That(mapping.HostIp, Is.Null);
            Assert.That(mapping.Protocol, Is.EqualTo("tcp"));
        });
    }

    [TestCase("udp", "udp")]
    [TestCase("SCTP", "sctp")]
    public void PortMappings_Protocol_NormalisedToLowerCase(string protocol, string expected) =>
        Assert.That(Parse("{\"portMappings\":[{\"hostPort\":1,\"containerPort\":2,\"protocol\":\"" + protocol + "\"}]}").PortMappings![0].Protocol, Is.EqualTo(expected));

    [TestCase("""{"portMappings":[{"HostPort":0,"ContainerPort":80}]}""", "runtimeConfig.portMappings[0].hostPort")]
    [TestCase("""{"portMappings":[{"HostPort":65536,"ContainerPort":80}]}""", "runtimeConfig.portMappings[0].hostPort")]
    [TestCase("""{"portMappings":[{"HostPort":80,"ContainerPort":-1}]}""", "runtimeConfig.portMappings[0].containerPort")]
    [TestCase("""{"portMappings":[{"HostPort":80.5,"ContainerPort":80}]}""", "runtimeConfig.portMappings[0].hostPort")]
    [TestCase("""{"portMappings":[{"HostPort":1e300,"ContainerPort":80}]}""", "runtimeConfig.portMappings[0].hostPort")]
    [TestCase("""{"portMappings":[{"HostPort":80}]}""", "runtimeConfig.portMappings[0].containerPort")]
    [TestCase("""{"portMappings":[{"HostPort":80,"ContainerPort":80},{"HostPort":81,"ContainerPort":80,"Protocol":"icmp"}]}""", "runtimeConfig.portMappings[1].protocol")]
    [TestCase("""{"portMappings":[{"HostPort":80,"ContainerPort":80,"HostIP":"10.0.0"}]}""", "runtimeConfig.portMappings[0].hostIP")]
    [TestCase("""{"portMappings":[{"HostPort":"80","ContainerPort":80}]}""", "runtimeConfig.portMappings[0].hostPort")]
    [TestCase("""{"portMappings":{"HostPort":80}}""", "runtimeConfig.portMappings")]
    [TestCase("""{"dns":{"Servers":["10.96.0.300"]}}""", "runtimeConfig.dns.servers[0]")]
    [TestCase("""{"dns":{"Servers":"10.96.0.10"}}""", "runtimeConfig.dns.servers")]
    [TestCase("""{"ips":["10.1.2.3/33"]}""", "runtimeConfig.ips[0]")]
    [TestCase("""{"mac":"c2:11:22:33:44"}""", "runtimeConfig.mac")]
    [TestCase("""{"mac":"c2:11:22:33:44:zz"}""", "runtimeConfig.mac")]
    [TestCase("""{"infinibandGUID":"c2:11:22:33:44:55"}""", "runtimeConfig.infinibandGUID")]
    [TestCase("""{"bandwidth":{"IngressRate":-1}}""", "runtimeConfig.bandwidth.ingressRate")]
    [TestCase("""{"ipRanges":[[{"subnet":"10.1.0.0"}]]}""", "runtimeConfig.ipRanges[0][0].subnet")]
    [TestCase("""{"ipRanges":[[{"subnet":"10.1.0.0/16","rangeStart":"x"}]]}""", "runtimeConfig.ipRanges[0][0].rangeStart")]
    [TestCase("""{"ipRanges":[{"subnet":"10.1.0.0/16"}]}""", "runtimeConfig.ipRanges[0]")]
    [TestCase("""{"io.kubernetes.cri.pod-annotations":{"a":1}}""", "runtimeConfig.io.kubernetes.cri.pod-annotations.a")]
    [TestCase("[]", "runtimeConfig")]
    public void Parse_InvalidValue_ErrorNamesFieldPath(string json, string path)
    {
        var e = Fails(json);
        Assert.Multiple(() =>
        {
            Assert.That(e.Code, Is.AnyOf(CniErrorCode.DecodingFailure, CniErrorCode.InvalidNetworkConfig));
            Assert.That(e.Error.Msg, Does.StartWith(path + ":"));
        });
    }

    [Test]
    public void Dns_ContainerdPascalCase_Parsed()
    {
        var dns = Parse("""{"dns":{"Servers":["10.96.0.10","fd00::a"],"Searches":["default.svc.cluster.local"],"Options":["ndots:5"]}}""").Dns!;
        Assert.Multiple(() =>
        {
            Assert.That(dns.Servers, Is.EqualTo(new[] { "10.96.0.10", "fd00::a" }));
            Assert.That(dns.Searches, Is.EqualTo(new[] { "default.svc.cluster.local" }));
            Assert.That(dns.Options, Is.EqualTo(new[] { "ndots:5" }));
        });
    }

    [Test]
    public void Bandwidth_ContainerdValues_Parsed()
    {
        var bw = Parse("""{"bandwidth":{"IngressRate":1000000,"IngressBurst":4294967295,"EgressRate":0,"EgressBurst":0}}""").Bandwidth!;
        Assert.Multiple(() =>
        {
            Assert.That(bw.IngressRate, Is.EqualTo(1_000_000UL));
            Assert.That(bw.IngressBurst, Is.EqualTo(4_294_967_295UL));
            Assert.That(bw.EgressRate, Is.EqualTo(0UL));
        });
    }

    [Test]
    public void AllConventions_CamelCase_Parsed()
    {
        var rc = Parse("""
            {"ips":["10.1.2.3/24","2001:db8::5"],"mac":"c2:11:22:33:44:55","infinibandGUID":"c2:11:22:33:44:55:66:77",
             "deviceID":"0000:04:00.5","aliases":["my-container","primary-db"],"cgroupPath":"/kubepods/pod1",
             "ipRanges":[[{"subnet":"10.1.0.0/16","rangeStart":"10.1.0.10","rangeEnd":"10.1.0.20","gateway":"10.1.0.1"}],[{"subnet":"fd00::/64"}]],
             "io.kubernetes.cri.pod-annotations":{"k":"v"},"someFutureCapability":{"x":1}}
            """);
        Assert.Multiple(() =>
        {
            Assert.That(rc.Ips, Is.EqualTo(new[] { "10.1.2.3/24", "2001:db8::5" }));
            Assert.That(rc.Mac, Is.EqualTo("c2:11:22:33:44:55"));
            Assert.That(rc.InfinibandGuid, Is.EqualTo("c2:11:22:33:44:55:66:77"));
            Assert.That(rc.DeviceId, Is.EqualTo("0000:04:00.5"));
            Assert.That(rc.Aliases, Is.EqualTo(new[] { "my-container", "primary-db" }));
            Assert.That(rc.CgroupPath, Is.EqualTo("/kubepods/pod1"));
            Assert.That(rc.IpRanges, Has.Count.EqualTo(2));
            Assert.That(rc.IpRanges![0][0].Subnet.ToString(), Is.EqualTo("10.1.0.0/16"));
            Assert.That(rc.IpRanges[0][0].RangeStart!.ToString(), Is.EqualTo("10.1.0.10"));
            Assert.That(rc.IpRanges[1][0].Subnet.ToString(), Is.EqualTo("fd00::/64"));
            Assert.That(rc.PodAnnotations!["k"], Is.EqualTo("v"));
            Assert.That(rc.Raw.GetProperty("someFutureCapability").GetProperty("x").GetInt32(), Is.EqualTo(1));
        });
    }

    [Test]
    public void Parse_NullRuntimeConfig_IsAbsent() =>
        Assert.That(NetworkConfig.Parse(TestEnv.Bytes(TestEnv.C11Plus("\"runtimeConfig\":null"))).RuntimeConfig, Is.Null);
}
