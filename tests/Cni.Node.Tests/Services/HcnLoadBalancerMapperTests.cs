using Cni.Hcn.Model;
using Cni.Node.Configuration;
using Cni.Node.Services;
using Cni.Node.Tests.Pods;
using HcnProtocol = Cni.Hcn.Model.Policies.ProtocolType;

namespace Cni.Node.Tests.Services;

public sealed class HcnLoadBalancerMapperTests
{
    private static readonly Guid Network = Guid.Parse("0a5f3c1e-0000-4000-8000-000000000001");
    private static readonly Guid EndpointA = Guid.Parse("00000000-0000-4000-8000-00000000000a");
    private static readonly Guid EndpointB = Guid.Parse("00000000-0000-4000-8000-00000000000b");

    private static DesiredLoadBalancer Desired(ServiceBuilder service, FrontendKind kind, params SliceBuilder[] slices) =>
        ServiceTranslator.Translate(service.Build(), [.. slices.Select(s => s.Build())], NodeFactsBuilder.L2Bridge().Build())
            .LoadBalancers.Single(lb => lb.Kind == kind);

    private static DesiredLoadBalancer NodePort() => Desired(
        ServiceBuilder.NodePort().Port("http", 80, 8080, nodePort: 30080).ClientIpAffinity(),
        FrontendKind.NodePort,
        SliceBuilder.V4().Port("http", 8080).Endpoint("10.244.1.5", NodeFactsBuilder.Self));

    [Test]
    public void ToHcn_ClusterIp_EveryFieldFromTheDesiredLoadBalancer()
    {
        var desired = Desired(ServiceBuilder.ClusterIp().Port("http", 80, 8080), FrontendKind.ClusterIp, SliceBuilder.V4().Port("http", 8080).Endpoint("10.244.1.5", NodeFactsBuilder.Self));

        var hcn = HcnLoadBalancerMapper.ToHcn(desired, [EndpointB, EndpointA], Network);

        Assert.That(hcn.Id, Is.EqualTo(desired.Key.Id));
        Assert.That(hcn.HostComputeEndpoints, Is.EqualTo(new[] { EndpointA, EndpointB }));
        Assert.That(hcn.FrontendVips, Is.EqualTo(new[] { ServiceBuilder.ClusterIpV4 }));
        Assert.That(hcn.SourceVip, Is.EqualTo(NodeFactsBuilder.NodeIpV4));
        Assert.That(hcn.HostComputeNetwork, Is.EqualTo(Network));
        Assert.That(hcn.Flags, Is.EqualTo(LoadBalancerFlags.EnableDirectServerReturn));
        Assert.That(hcn.PortMappings, Is.EqualTo(new[]
        {
            new LoadBalancerPortMapping { Protocol = HcnProtocol.Tcp, InternalPort = 8080, ExternalPort = 80, DistributionType = LoadBalancerDistribution.None, Flags = LoadBalancerPortMappingFlags.None },
        }));
    }

    [Test]
    public void ToHcn_NodePort_NoFrontendVipAndItsFlags()
    {
        var hcn = HcnLoadBalancerMapper.ToHcn(NodePort(), [EndpointA], Network);

        Assert.That(hcn.FrontendVips, Is.Empty);
        Assert.That(hcn.PortMappings![0].ExternalPort, Is.EqualTo((ushort)30080));
        Assert.That(hcn.PortMappings[0].Flags, Is.EqualTo(LoadBalancerPortMappingFlags.LocalRoutedVip | LoadBalancerPortMappingFlags.VipExternalIP));
        Assert.That(hcn.PortMappings[0].DistributionType, Is.EqualTo(LoadBalancerDistribution.SourceIP));
    }

    [Test]
    public void ToHcn_RejectingLoadBalancer_Throws()
    {
        var reject = Desired(ServiceBuilder.ClusterIp().Port("http", 80, 8080), FrontendKind.ClusterIp);

        Assert.That(() => HcnLoadBalancerMapper.ToHcn(reject, [EndpointA], Network), Throws.ArgumentException.With.Message.Contains("Reject"));
    }

    [Test]
    public void ToHcn_NoEndpointIds_Throws()
    {
        Assert.That(() => HcnLoadBalancerMapper.ToHcn(NodePort(), [], Network), Throws.ArgumentException);
    }

    [Test]
    public void ToHcnWithoutBackends_LocalPolicyNoLocalEndpoint_DropsAndRejectingOneDoesNot()
    {
        var drop = Desired(
            ServiceBuilder.NodePort().Port("http", 80, 8080, nodePort: 30080).ExternalTrafficPolicy("Local"),
            FrontendKind.NodePort,
            SliceBuilder.V4().Port("http", 8080).Endpoint("10.244.2.5", "other-node"));
        var reject = Desired(ServiceBuilder.ClusterIp().Port("http", 80, 8080), FrontendKind.ClusterIp);

        var dropping = HcnLoadBalancerMapper.ToHcnWithoutBackends(drop, Network);
        var rejecting = HcnLoadBalancerMapper.ToHcnWithoutBackends(reject, Network);

        Assert.That(drop.Verdict, Is.EqualTo(LoadBalancerVerdict.Drop));
        Assert.That(dropping.DropWithoutBackends, Is.True);
        Assert.That(dropping.HostComputeEndpoints, Is.Empty);
        Assert.That(rejecting.DropWithoutBackends, Is.False);
        Assert.That(HcnLoadBalancerMapper.IsCurrent(dropping with { DropWithoutBackends = false }, dropping), Is.False, "a verdict change is a modify");
    }

    [Test]
    public void IsCurrent_BackendsInOtherOrder_True()
    {
        var desired = HcnLoadBalancerMapper.ToHcn(NodePort(), [EndpointA, EndpointB], Network);
        var actual = desired with { HostComputeEndpoints = [EndpointB, EndpointA], HostComputeNetwork = Guid.Empty };

        Assert.That(HcnLoadBalancerMapper.IsCurrent(actual, desired), Is.True);
    }

    [Test]
    public void IsCurrent_BackendOrPortOrFlagsChanged_False()
    {
        var desired = HcnLoadBalancerMapper.ToHcn(NodePort(), [EndpointA, EndpointB], Network);

        Assert.That(HcnLoadBalancerMapper.IsCurrent(desired with { HostComputeEndpoints = [EndpointA] }, desired), Is.False);
        Assert.That(HcnLoadBalancerMapper.IsCurrent(desired with { PortMappings = [desired.PortMappings![0] with { InternalPort = 9090 }] }, desired), Is.False);
        Assert.That(HcnLoadBalancerMapper.IsCurrent(desired with { Flags = LoadBalancerFlags.EnableDirectServerReturn }, desired), Is.False);
        Assert.That(HcnLoadBalancerMapper.IsCurrent(desired with { SourceVip = "10.244.1.2" }, desired), Is.False);
    }

    [Test]
    public async Task ToHcn_CreatedInHcnAndReadBack_IsCurrentAndRecognisedAsOwned()
    {
        await using var node = await NodeHarness.CreateAsync(NetworkMode.L2Bridge);
        var networkId = node.Network.NetworkId!.Value;
        var endpoint = await node.Hcn.CreateEndpointAsync(networkId, new HostComputeEndpoint { Name = "backend", IpConfigurations = [new IpConfig { IpAddress = "10.244.1.5", PrefixLength = 24 }] }, CancellationToken.None);
        var desired = HcnLoadBalancerMapper.ToHcn(NodePort(), [endpoint.Id], networkId);
        await node.Hcn.CreateLoadBalancerAsync(desired, CancellationToken.None);

        var found = (await node.Hcn.EnumerateLoadBalancersAsync(null, CancellationToken.None)).Single();

        Assert.That(found.Id, Is.EqualTo(NodePort().Key.Id));
        Assert.That(LoadBalancerIds.IsOwned(found.Id), Is.True);
        Assert.That(HcnLoadBalancerMapper.IsCurrent(found, desired), Is.True);
    }
}
