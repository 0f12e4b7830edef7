using Cni.Hcn.Model;
using Cni.Node.Services;
using k8s.Models;
using AddressFamily = System.Net.Sockets.AddressFamily;
using HcnProtocol = Cni.Hcn.Model.Policies.ProtocolType;

namespace Cni.Node.Tests.Services;

/// <summary>One case per row of the translation table (kubernetes pkg/proxy/winkernel/proxier.go) and per deliberate difference.</summary>
public sealed class ServiceTranslatorTests
{
    private const string Self = NodeFactsBuilder.Self;
    private const string LocalPod = "10.244.1.5";
    private const string RemotePod = "10.244.2.5";

    private static ServiceBuilder Http(ServiceBuilder service, int? nodePort = null) => service.Port("http", 80, "web", nodePort);

    /// <summary>One local and one remote ready endpoint on 8080.</summary>
    private static SliceBuilder Endpoints() => SliceBuilder.V4().Port("http", 8080).Endpoint(LocalPod, Self).Endpoint(RemotePod, "n2");

    private static ServiceTranslation Translate(ServiceBuilder service, NodeFactsBuilder? node = null, params SliceBuilder[] slices) =>
        ServiceTranslator.Translate(service.Build(), [.. (slices.Length == 0 ? [Endpoints()] : slices).Select(s => s.Build())], (node ?? NodeFactsBuilder.L2Bridge()).Build());

    private static DesiredLoadBalancer Single(ServiceTranslation translation, FrontendKind kind) => translation.LoadBalancers.Single(lb => lb.Kind == kind);

    private static string[] BackendAddresses(DesiredLoadBalancer lb) => [.. lb.Backends.Select(b => b.Address.ToString())];

    private static ServiceConditionKind[] Kinds(ServiceTranslation translation) => [.. translation.Conditions.Select(c => c.Kind)];

    [Test]
    public void Translate_ClusterIp_OneLoadBalancerOnTheClusterIpWithAllBackends()
    {
        var translation = Translate(Http(ServiceBuilder.ClusterIp()));

        var lb = translation.LoadBalancers.Single();
        Assert.That(lb.Key.Value, Is.EqualTo("default/web:http/TCP/IPv4/ClusterIP"));
        Assert.That(lb.Kind, Is.EqualTo(FrontendKind.ClusterIp));
        Assert.That(lb.Vip?.ToString(), Is.EqualTo(ServiceBuilder.ClusterIpV4));
        Assert.That((lb.Protocol, lb.ExternalPort, lb.InternalPort), Is.EqualTo((HcnProtocol.Tcp, (ushort)80, (ushort)8080)));
        Assert.That(lb.Flags, Is.EqualTo(LoadBalancerFlags.EnableDirectServerReturn));
        Assert.That(lb.PortMappingFlags, Is.EqualTo(LoadBalancerPortMappingFlags.None));
        Assert.That(lb.Distribution, Is.EqualTo(LoadBalancerDistribution.None));
        Assert.That(BackendAddresses(lb), Is.EqualTo(new[] { LocalPod, RemotePod }));
        Assert.That(lb.Backends.Select(b => (b.IsLocal, b.NodeName)), Is.EqualTo(new[] { (true, (string?)Self), (false, "n2") }));
        Assert.That(lb.Verdict, Is.EqualTo(LoadBalancerVerdict.Forward));
        Assert.That(translation.Conditions, Is.Empty);
    }

    [Test]
    public void Translate_ClusterIpWithoutDsr_NoDsrFlag()
    {
        var lb = Translate(Http(ServiceBuilder.ClusterIp()), NodeFactsBuilder.L2Bridge().NoDsr()).LoadBalancers.Single();

        Assert.That(lb.Flags, Is.EqualTo(LoadBalancerFlags.None));
    }

    [Test]
    public void Translate_InternalTrafficPolicyLocal_ClusterIpUsesLocalBackendsOnly()
    {
        var lb = Translate(Http(ServiceBuilder.ClusterIp().InternalTrafficPolicy("Local"))).LoadBalancers.Single();

        Assert.That(BackendAddresses(lb), Is.EqualTo(new[] { LocalPod }));
    }

    [Test]
    public void Translate_InternalTrafficPolicyLocalNoLocalEndpoint_Drop()
    {
        var lb = Translate(Http(ServiceBuilder.ClusterIp().InternalTrafficPolicy("Local")), null, SliceBuilder.V4().Port("http", 8080).Endpoint(RemotePod, "n2")).LoadBalancers.Single();

        Assert.That(lb.Verdict, Is.EqualTo(LoadBalancerVerdict.Drop));
        Assert.That(lb.Backends, Is.Empty);
        Assert.That(lb.VerdictReason, Does.Contain("internalTrafficPolicy: Local"));
    }

    [Test]
    public void Translate_NodePort_NoVipLocalRoutedVipExternalIpAllBackends()
    {
        var translation = Translate(Http(ServiceBuilder.NodePort(), nodePort: 30080));

        Assert.That(translation.LoadBalancers.Select(lb => lb.Kind), Is.EqualTo(new[] { FrontendKind.ClusterIp, FrontendKind.NodePort }));
        var lb = Single(translation, FrontendKind.NodePort);
        Assert.That(lb.Key.Value, Is.EqualTo("default/web:http/TCP/IPv4/NodePort"));
        Assert.That(lb.Vip, Is.Null);
        Assert.That((lb.ExternalPort, lb.InternalPort), Is.EqualTo(((ushort)30080, (ushort)8080)));
        Assert.That(lb.Flags, Is.EqualTo(LoadBalancerFlags.None));
        Assert.That(lb.PortMappingFlags, Is.EqualTo(LoadBalancerPortMappingFlags.LocalRoutedVip | LoadBalancerPortMappingFlags.VipExternalIP));
        Assert.That(BackendAddresses(lb), Is.EqualTo(new[] { LocalPod, RemotePod }));
    }

    [Test]
    public void Translate_ExternalTrafficPolicyLocalWithDsr_ExternalFrontendsDsrLocalClusterIpKeepsAll()
    {
        var translation = Translate(Http(ServiceBuilder.LoadBalancer().ExternalTrafficPolicy("Local").ExternalIps("198.51.100.7").Ingress("203.0.113.9"), nodePort: 30080));

        Assert.That(BackendAddresses(Single(translation, FrontendKind.ClusterIp)), Is.EqualTo(new[] { LocalPod, RemotePod }));
        foreach (var lb in translation.LoadBalancers.Where(lb => lb.Kind != FrontendKind.ClusterIp))
        {
            Assert.That(BackendAddresses(lb), Is.EqualTo(new[] { LocalPod }), lb.Key.Value);
            Assert.That(lb.Flags, Is.EqualTo(LoadBalancerFlags.EnableDirectServerReturn), lb.Key.Value);
        }

        Assert.That(translation.Conditions, Is.Empty);
    }

    [Test]
    public void Translate_ExternalTrafficPolicyLocalWithoutDsr_StillLocalNoDsrAndReported()
    {
        var translation = Translate(Http(ServiceBuilder.NodePort().ExternalTrafficPolicy("Local"), nodePort: 30080), NodeFactsBuilder.L2Bridge().NoDsr());

        var lb = Single(translation, FrontendKind.NodePort);
        Assert.That(BackendAddresses(lb), Is.EqualTo(new[] { LocalPod }));
        Assert.That(lb.Flags, Is.EqualTo(LoadBalancerFlags.None));
        Assert.That(Kinds(translation), Is.EqualTo(new[] { ServiceConditionKind.ClientAddressNotPreserved }));
    }

    [Test]
    public void Translate_ExternalTrafficPolicyLocalNoLocalEndpoint_ExternalDropClusterIpForwards()
    {
        var translation = Translate(Http(ServiceBuilder.NodePort().ExternalTrafficPolicy("Local"), nodePort: 30080), null, SliceBuilder.V4().Port("http", 8080).Endpoint(RemotePod, "n2"));

        Assert.That(Single(translation, FrontendKind.NodePort).Verdict, Is.EqualTo(LoadBalancerVerdict.Drop));
        Assert.That(Single(translation, FrontendKind.ClusterIp).Verdict, Is.EqualTo(LoadBalancerVerdict.Forward));
    }

    [Test]
    public void Translate_ExternalIps_OnePerIpOfTheFamilyWithVipExternalIp()
    {
        var translation = Translate(Http(ServiceBuilder.ClusterIp().ExternalIps("198.51.100.7", "2001:db8:1::7", "198.51.100.8")));

        var external = translation.LoadBalancers.Where(lb => lb.Kind == FrontendKind.ExternalIp).ToList();
        Assert.That(external.Select(lb => lb.Key.Value), Is.EqualTo(new[]
        {
            "default/web:http/TCP/IPv4/ExternalIP/198.51.100.7",
            "default/web:http/TCP/IPv4/ExternalIP/198.51.100.8",
        }));
        Assert.That(external.Select(lb => lb.PortMappingFlags), Is.All.EqualTo(LoadBalancerPortMappingFlags.VipExternalIP));
        Assert.That(external.Select(lb => lb.Flags), Is.All.EqualTo(LoadBalancerFlags.None));
        Assert.That(external.Select(lb => lb.ExternalPort), Is.All.EqualTo((ushort)80));
        Assert.That(BackendAddresses(external[0]), Is.EqualTo(new[] { LocalPod, RemotePod }));
    }

    [Test]
    public void Translate_LoadBalancerIngress_OnePerIpVipExternalIp()
    {
        var translation = Translate(Http(ServiceBuilder.LoadBalancer().Ingress("203.0.113.9"), nodePort: 30080));

        var lb = Single(translation, FrontendKind.LoadBalancerIngress);
        Assert.That(lb.Key.Value, Is.EqualTo("default/web:http/TCP/IPv4/LoadBalancer/203.0.113.9"));
        Assert.That(lb.Vip?.ToString(), Is.EqualTo("203.0.113.9"));
        Assert.That(lb.PortMappingFlags, Is.EqualTo(LoadBalancerPortMappingFlags.VipExternalIP));
        Assert.That(lb.Flags, Is.EqualTo(LoadBalancerFlags.None));
        Assert.That(BackendAddresses(lb), Is.EqualTo(new[] { LocalPod, RemotePod }));
    }

    [Test]
    public void Translate_IngressIpModeProxyOrHostnameOnly_Skipped()
    {
        var translation = Translate(Http(ServiceBuilder.LoadBalancer().Ingress("203.0.113.9", ipMode: "Proxy").Ingress(null, hostname: "lb.example.com").Ingress("203.0.113.10", ipMode: "VIP"), nodePort: 30080));

        Assert.That(translation.LoadBalancers.Where(lb => lb.Kind == FrontendKind.LoadBalancerIngress).Select(lb => lb.Vip!.ToString()), Is.EqualTo(new[] { "203.0.113.10" }));
    }

    [Test]
    public void Translate_PreserveDestination_IngressDsrUseMuxPreserveDipLocalNodePortLocal()
    {
        var translation = Translate(Http(ServiceBuilder.LoadBalancer().Ingress("203.0.113.9").Annotation(ServiceTranslator.PreserveDestinationAnnotation, "true"), nodePort: 30080));

        var ingress = Single(translation, FrontendKind.LoadBalancerIngress);
        Assert.That(ingress.Flags, Is.EqualTo(LoadBalancerFlags.EnableDirectServerReturn));
        Assert.That(ingress.PortMappingFlags, Is.EqualTo(LoadBalancerPortMappingFlags.VipExternalIP | LoadBalancerPortMappingFlags.UseMux | LoadBalancerPortMappingFlags.EnablePreserveDip));
        Assert.That(BackendAddresses(ingress), Is.EqualTo(new[] { LocalPod }));
        Assert.That(BackendAddresses(Single(translation, FrontendKind.NodePort)), Is.EqualTo(new[] { LocalPod }));
        Assert.That(Single(translation, FrontendKind.NodePort).Flags, Is.EqualTo(LoadBalancerFlags.None));
        Assert.That(BackendAddresses(Single(translation, FrontendKind.ClusterIp)), Is.EqualTo(new[] { LocalPod, RemotePod }));
    }

    [Test]
    public void Translate_PreserveDestinationWithoutDsr_Ignored()
    {
        var translation = Translate(Http(ServiceBuilder.LoadBalancer().Ingress("203.0.113.9").Annotation(ServiceTranslator.PreserveDestinationAnnotation, "true"), nodePort: 30080), NodeFactsBuilder.L2Bridge().NoDsr());

        var ingress = Single(translation, FrontendKind.LoadBalancerIngress);
        Assert.That(ingress.PortMappingFlags, Is.EqualTo(LoadBalancerPortMappingFlags.VipExternalIP));
        Assert.That(BackendAddresses(ingress), Is.EqualTo(new[] { LocalPod, RemotePod }));
    }

    [Test]
    public void Translate_ClientIpAffinity_SourceIpOnEveryLoadBalancer()
    {
        var translation = Translate(Http(ServiceBuilder.LoadBalancer().ClientIpAffinity().ExternalIps("198.51.100.7").Ingress("203.0.113.9"), nodePort: 30080));

        Assert.That(translation.LoadBalancers, Has.Count.EqualTo(4));
        Assert.That(translation.LoadBalancers.Select(lb => lb.Distribution), Is.All.EqualTo(LoadBalancerDistribution.SourceIP));
    }

    [TestCase("headless", ServiceSkipReason.Headless)]
    [TestCase("no-cluster-ip", ServiceSkipReason.NoClusterIp)]
    [TestCase("external-name", ServiceSkipReason.ExternalName)]
    [TestCase("proxy-name", ServiceSkipReason.OtherServiceProxy)]
    public void Translate_ServiceNotForThisProxy_NothingWithReason(string variant, ServiceSkipReason expected)
    {
        var service = Http(ServiceBuilder.ClusterIp());
        _ = variant switch
        {
            "headless" => service.ClusterIps("None"),
            "no-cluster-ip" => service.ClusterIps(),
            "external-name" => service.ExternalName("db.example.com"),
            _ => service.Label(ServiceTranslator.ServiceProxyNameLabel, "other-proxy"),
        };

        var translation = Translate(service);

        Assert.That(translation.Skipped, Is.EqualTo(expected));
        Assert.That(translation.LoadBalancers, Is.Empty);
    }

    [Test]
    public void Translate_ClientIpAffinityOnHnsWithoutIt_NoAffinityAndAConditionNamingTheVersion()
    {
        // winkernel gates affinity on HNS 12.0 (SessionAffinity flag); wincni does not send a flag HNS may refuse.
        var translation = Translate(Http(ServiceBuilder.ClusterIp().ClientIpAffinity()), NodeFactsBuilder.L2Bridge().NoSessionAffinity("11.5"));

        Assert.That(translation.LoadBalancers.Select(lb => lb.Distribution), Is.All.EqualTo(LoadBalancerDistribution.None));
        var condition = translation.Conditions.Single(c => c.Kind == ServiceConditionKind.SessionAffinityUnsupported);
        Assert.That(condition.Message, Does.Contain("needs HNS 12.0 or later").And.Contain("this HNS is 11.5"));
    }

    [Test]
    public void Translate_NoUsableEndpoint_EveryFrontendRejectsAndReported()
    {
        var translation = Translate(
            Http(ServiceBuilder.LoadBalancer().ExternalIps("198.51.100.7").Ingress("203.0.113.9").ExternalTrafficPolicy("Local"), nodePort: 30080),
            null,
            SliceBuilder.V4().Port("http", 8080).Endpoint(LocalPod, Self, EndpointState.NotReady));

        Assert.That(translation.LoadBalancers, Has.Count.EqualTo(4));
        Assert.That(translation.LoadBalancers.Select(lb => lb.Verdict), Is.All.EqualTo(LoadBalancerVerdict.Reject));
        Assert.That(translation.LoadBalancers.SelectMany(lb => lb.Backends), Is.Empty);
        Assert.That(Kinds(translation), Does.Contain(ServiceConditionKind.NoEndpoints));
    }

    [Test]
    public void Translate_NoSlices_RejectWithNumericTargetPort()
    {
        var translation = ServiceTranslator.Translate(ServiceBuilder.ClusterIp().Port("http", 80, 8080).Build(), [], NodeFactsBuilder.L2Bridge().Build());

        var lb = translation.LoadBalancers.Single();
        Assert.That((lb.Verdict, lb.InternalPort), Is.EqualTo((LoadBalancerVerdict.Reject, (ushort)8080)));
    }

    [Test]
    public void Translate_AllTerminating_EveryFrontendFallsBackToServingTerminating()
    {
        var translation = Translate(
            Http(ServiceBuilder.NodePort().ExternalIps("198.51.100.7"), nodePort: 30080),
            null,
            SliceBuilder.V4().Port("http", 8080).Endpoint(LocalPod, Self, EndpointState.ServingTerminating).Endpoint(RemotePod, "n2", EndpointState.NotServingTerminating));

        Assert.That(translation.LoadBalancers, Has.Count.EqualTo(3));
        Assert.That(translation.LoadBalancers.Select(BackendAddresses), Is.All.EqualTo(new[] { LocalPod }));
    }

    [Test]
    public void Translate_ZoneHints_ClusterFrontendsUseThisZone()
    {
        var translation = Translate(
            Http(ServiceBuilder.ClusterIp()),
            null,
            SliceBuilder.V4().Port("http", 8080).Endpoint(LocalPod, Self, zones: ["z1"]).Endpoint(RemotePod, "n2", zones: ["z2"]));

        Assert.That(BackendAddresses(translation.LoadBalancers.Single()), Is.EqualTo(new[] { LocalPod }));
    }

    [Test]
    public void Translate_DualStack_OneLoadBalancerPerFamilyWithIpv6Flag()
    {
        var translation = Translate(
            Http(ServiceBuilder.ClusterIp().DualStack()),
            null,
            Endpoints(),
            SliceBuilder.V6().Port("http", 8080).Endpoint("fd00:244::5", Self));

        Assert.That(translation.LoadBalancers.Select(lb => lb.Key.Value), Is.EqualTo(new[] { "default/web:http/TCP/IPv4/ClusterIP", "default/web:http/TCP/IPv6/ClusterIP" }));
        var v6 = translation.LoadBalancers[1];
        Assert.That(v6.Family, Is.EqualTo(AddressFamily.InterNetworkV6));
        Assert.That(v6.Vip?.ToString(), Is.EqualTo(ServiceBuilder.ClusterIpV6));
        Assert.That(v6.Flags, Is.EqualTo(LoadBalancerFlags.EnableDirectServerReturn | LoadBalancerFlags.IPv6));
        Assert.That(BackendAddresses(v6), Is.EqualTo(new[] { "fd00:244::5" }));
        Assert.That(v6.SourceVip?.ToString(), Is.EqualTo(NodeFactsBuilder.NodeIpV6));
    }

    [Test]
    public void Translate_DualStackOnOverlay_IPv4OnlyAndReported()
    {
        var translation = Translate(Http(ServiceBuilder.ClusterIp().DualStack()), NodeFactsBuilder.Overlay());

        Assert.That(translation.LoadBalancers.Select(lb => lb.Family), Is.EqualTo(new[] { AddressFamily.InterNetwork }));
        Assert.That(Kinds(translation), Is.EqualTo(new[] { ServiceConditionKind.FamilyNotServed }));
    }

    [Test]
    public void Translate_L2BridgeWithoutSourceVip_NodeIpIsSourceVip()
    {
        var lb = Translate(Http(ServiceBuilder.ClusterIp())).LoadBalancers.Single();

        Assert.That(lb.SourceVip?.ToString(), Is.EqualTo(NodeFactsBuilder.NodeIpV4));
    }

    [Test]
    public void Translate_OverlayPodBackends_ConfiguredSourceVip()
    {
        var lb = Translate(Http(ServiceBuilder.ClusterIp()), NodeFactsBuilder.Overlay("10.244.1.2")).LoadBalancers.Single();

        Assert.That(lb.SourceVip?.ToString(), Is.EqualTo("10.244.1.2"));
    }

    [Test]
    public void Translate_OverlayBackendOutsidePodNetwork_NodeIpIsSourceVip()
    {
        var lb = Translate(Http(ServiceBuilder.ClusterIp()), NodeFactsBuilder.Overlay(), SliceBuilder.V4().Port("http", 8080).Endpoint("192.0.2.50", "control-plane")).LoadBalancers.Single();

        Assert.That(lb.SourceVip?.ToString(), Is.EqualTo(NodeFactsBuilder.NodeIpV4));
    }

    [Test]
    public void Translate_OverlayWithoutSourceVip_NullAndReported()
    {
        var translation = Translate(Http(ServiceBuilder.ClusterIp()), NodeFactsBuilder.Overlay(sourceVip: null));

        Assert.That(translation.LoadBalancers.Single().SourceVip, Is.Null);
        Assert.That(Kinds(translation), Is.EqualTo(new[] { ServiceConditionKind.NoSourceVip }));
    }

    [Test]
    public void Translate_NamedTargetPortAgreeing_SlicePortIsInternalPort()
    {
        var translation = Translate(
            Http(ServiceBuilder.ClusterIp()),
            null,
            SliceBuilder.V4("a").Port("http", 8443).Endpoint(LocalPod, Self),
            SliceBuilder.V4("b").Port("http", 8443).Endpoint(RemotePod, "n2"));

        Assert.That(translation.LoadBalancers.Single().InternalPort, Is.EqualTo((ushort)8443));
        Assert.That(translation.Conditions, Is.Empty);
    }

    [Test]
    public void Translate_NamedTargetPortDisagreeing_MajorityPortAndConditionNamesBoth()
    {
        var translation = Translate(
            Http(ServiceBuilder.ClusterIp()),
            null,
            SliceBuilder.V4("a").Port("http", 8443).Endpoint(LocalPod, Self).Endpoint("10.244.1.6", Self),
            SliceBuilder.V4("b").Port("http", 9443).Endpoint(RemotePod, "n2"));

        var lb = translation.LoadBalancers.Single();
        Assert.That(lb.InternalPort, Is.EqualTo((ushort)8443));
        Assert.That(BackendAddresses(lb), Is.EqualTo(new[] { LocalPod, "10.244.1.6" }));
        var condition = translation.Conditions.Single();
        Assert.That(condition.Kind, Is.EqualTo(ServiceConditionKind.PortConflict));
        Assert.That(condition.Message, Does.Contain("targetPort web").And.Contain("8443").And.Contain("9443"));
    }

    [Test]
    public void Translate_ExternalIpEqualsClusterIp_OneFrontendAndReported()
    {
        var translation = Translate(Http(ServiceBuilder.ClusterIp().ExternalIps(ServiceBuilder.ClusterIpV4)));

        Assert.That(translation.LoadBalancers.Select(lb => lb.Kind), Is.EqualTo(new[] { FrontendKind.ClusterIp }));
        Assert.That(Kinds(translation), Is.EqualTo(new[] { ServiceConditionKind.DuplicateFrontend }));
    }

    [Test]
    public void Translate_SctpPort_SkippedAndReportedOthersKept()
    {
        var translation = Translate(Http(ServiceBuilder.ClusterIp()).Port("sig", 9000, 9000, protocol: "SCTP"));

        Assert.That(translation.LoadBalancers.Select(lb => lb.Port.Port), Is.EqualTo(new[] { "http" }));
        Assert.That(Kinds(translation), Is.EqualTo(new[] { ServiceConditionKind.UnsupportedProtocol }));
    }

    [Test]
    public void Translate_UdpPort_OwnKeyAndProtocol()
    {
        var translation = Translate(
            ServiceBuilder.ClusterIp().Port("dns", 53, 53, protocol: "UDP"),
            null,
            SliceBuilder.V4().Port("dns", 53, "UDP").Endpoint(RemotePod, "n2"));

        var lb = translation.LoadBalancers.Single();
        Assert.That((lb.Key.Value, lb.Protocol), Is.EqualTo(("default/web:dns/UDP/IPv4/ClusterIP", HcnProtocol.Udp)));
    }

    [Test]
    public void Translate_LoadBalancerExternalTrafficPolicyLocal_HealthCheckWithLocalReadyCount()
    {
        var translation = Translate(Http(ServiceBuilder.LoadBalancer().ExternalTrafficPolicy("Local", healthCheckNodePort: 32000), nodePort: 30080));

        Assert.That(translation.HealthCheck, Is.EqualTo(new ServiceHealthCheck(32000, 1)));
    }

    [Test]
    public void Translate_BothTrafficPoliciesLocal_NoRemoteBackendAnywhere()
    {
        var translation = Translate(Http(ServiceBuilder.LoadBalancer().InternalTrafficPolicy("Local").ExternalTrafficPolicy("Local").Ingress("203.0.113.9"), nodePort: 30080));

        Assert.That(translation.LoadBalancers, Has.Count.EqualTo(3));
        Assert.That(translation.LoadBalancers.SelectMany(lb => lb.Backends).Select(b => b.IsLocal), Is.All.True);
    }

    [Test]
    public void Translate_HealthCheckWithoutLocalEndpoint_CountZero()
    {
        var translation = Translate(
            Http(ServiceBuilder.LoadBalancer().ExternalTrafficPolicy("Local", healthCheckNodePort: 32000), nodePort: 30080),
            null,
            SliceBuilder.V4().Port("http", 8080).Endpoint(RemotePod, "n2").Endpoint(LocalPod, Self, EndpointState.ServingTerminating));

        Assert.That(translation.HealthCheck, Is.EqualTo(new ServiceHealthCheck(32000, 0)));
    }

    [Test]
    public void Translate_DualStackNodePort_Ipv6FlagOnTheIpv6NodePort()
    {
        var translation = Translate(
            Http(ServiceBuilder.NodePort().DualStack(), nodePort: 30080),
            null,
            Endpoints(),
            SliceBuilder.V6().Port("http", 8080).Endpoint("fd00:244::5", Self));

        var nodePorts = translation.LoadBalancers.Where(lb => lb.Kind == FrontendKind.NodePort).ToList();
        Assert.That(nodePorts.Select(lb => lb.Flags & LoadBalancerFlags.IPv6), Is.EqualTo(new[] { LoadBalancerFlags.None, LoadBalancerFlags.IPv6 }));
        Assert.That(nodePorts.Select(lb => lb.Vip), Is.All.Null);
    }

    [Test]
    public void Translate_ExternalTrafficPolicyCluster_NoHealthCheck()
    {
        Assert.That(Translate(Http(ServiceBuilder.LoadBalancer(), nodePort: 30080)).HealthCheck, Is.Null);
    }

    [Test]
    public void Translate_SourceRanges_ReportedAsNotEnforced()
    {
        var translation = Translate(Http(ServiceBuilder.LoadBalancer().SourceRanges("198.51.100.0/24"), nodePort: 30080));

        Assert.That(Kinds(translation), Is.EqualTo(new[] { ServiceConditionKind.SourceRangesIgnored }));
    }

    [Test]
    public void Translate_SameInputsTwice_SameKeysIdsAndBackends()
    {
        static ServiceTranslation Once() => Translate(
            Http(ServiceBuilder.LoadBalancer().ExternalIps("198.51.100.7").Ingress("203.0.113.9"), nodePort: 30080),
            null,
            SliceBuilder.V4("b").Port("http", 8080).Endpoint(RemotePod, "n2"),
            SliceBuilder.V4("a").Port("http", 8080).Endpoint(LocalPod, Self));

        var first = Once();
        var second = Once();

        Assert.That(second.LoadBalancers.Select(lb => (lb.Key.Id, string.Join(",", BackendAddresses(lb)))), Is.EqualTo(first.LoadBalancers.Select(lb => (lb.Key.Id, string.Join(",", BackendAddresses(lb))))));
    }
}
