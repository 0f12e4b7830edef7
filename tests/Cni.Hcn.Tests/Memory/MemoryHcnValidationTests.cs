using System.Text.Json;
using Cni.Hcn.Errors;
using Cni.Hcn.Memory;
using Cni.Hcn.Model;
using Cni.Hcn.Model.Policies;
using Cni.Hcn.Model.Requests;
using static Cni.Hcn.Tests.Memory.MemoryHcnTestData;

namespace Cni.Hcn.Tests.Memory;

/// <summary>The HNS validation MemoryHcn reproduces beyond the shared contract, with the exact codes it uses.</summary>
[TestFixture]
public sealed class MemoryHcnValidationTests
{
    private MemoryHcn _hcn = null!;

    [SetUp]
    public void SetUp() => _hcn = new MemoryHcn();

    [TearDown]
    public void TearDown() => _hcn.Dispose();

    public static IEnumerable<TestCaseData> BadEndpointPolicies()
    {
        static TestCaseData Case(string name, EndpointPolicy policy, int code) => new TestCaseData(policy, code).SetArgDisplayNames(name);

        yield return Case("PortMapping ICMP", EndpointPolicy.Create(new PortMappingPolicySetting { Protocol = ProtocolType.Icmpv4, InternalPort = 80, ExternalPort = 8080 }), HcnErrorCodes.InvalidPolicy);
        yield return Case("PortMapping internal 0", EndpointPolicy.Create(new PortMappingPolicySetting { Protocol = ProtocolType.Tcp, ExternalPort = 8080 }), HcnErrorCodes.InvalidInternalPort);
        yield return Case("PortMapping external 0", EndpointPolicy.Create(new PortMappingPolicySetting { Protocol = ProtocolType.Tcp, InternalPort = 80 }), HcnErrorCodes.InvalidPolicy);
        yield return Case("PortMapping bad VIP", HostPort(8080, vip: "not-an-ip"), HcnErrorCodes.InvalidPolicy);
        yield return Case("OutBoundNAT bad exception", EndpointPolicy.Create(new OutboundNatPolicySetting { Exceptions = ["10.244.0.0/16", "bogus"] }), HcnErrorCodes.InvalidPolicy);
        yield return Case("SDNRoute bad prefix", EndpointPolicy.Create(new SdnRoutePolicySetting { DestinationPrefix = "10.96.0.1/12", NeedEncap = true }), HcnErrorCodes.InvalidPolicy);
        yield return Case("ACL bad action", EndpointPolicy.Create(new AclPolicySetting { Action = ActionType.FromValue("Maybe"), Direction = DirectionType.In }), HcnErrorCodes.InvalidPolicy);
        yield return Case("ProviderAddress bad", EndpointPolicy.Create(new ProviderAddressPolicySetting { ProviderAddress = "x" }), HcnErrorCodes.InvalidPolicy);
        yield return Case("PortMapping raw settings", new EndpointPolicy
        {
            Type = EndpointPolicyType.PortMapping,
            Settings = new RawPolicySetting(JsonDocument.Parse("""{"Protocol":"tcp"}""").RootElement.Clone()),
        }, HcnErrorCodes.InvalidPolicy);
        yield return Case("PortMapping no settings", new EndpointPolicy { Type = EndpointPolicyType.PortMapping }, HcnErrorCodes.InvalidPolicy);
        yield return Case("unknown type", new EndpointPolicy { Type = EndpointPolicyType.FromValue("Teleport") }, HcnErrorCodes.InvalidPolicyType);
    }

    [TestCaseSource(nameof(BadEndpointPolicies))]
    [CancelAfter(10_000)]
    public async Task CreateEndpointAsync_BadPolicy_ThrowsTheHnsCode(EndpointPolicy policy, int code, CancellationToken cancellationToken)
    {
        var network = await _hcn.CreateNetworkAsync(L2Bridge(), cancellationToken);

        var ex = Assert.ThrowsAsync<HcnException>(() => _hcn.CreateEndpointAsync(network.Id, Endpoint("10.244.1.10", policies: policy), cancellationToken));

        Assert.That(ex!.HResult, Is.EqualTo(code), ex.Message);
        Assert.That(await _hcn.EnumerateEndpointsAsync(null, cancellationToken), Is.Empty);
    }

    [Test]
    [CancelAfter(10_000)]
    public async Task CreateEndpointAsync_RawSettingsForTypeWithoutRecord_AreAccepted(CancellationToken cancellationToken)
    {
        var network = await _hcn.CreateNetworkAsync(L2Bridge(), cancellationToken);
        var l2Driver = new EndpointPolicy { Type = EndpointPolicyType.L2Driver, Settings = new RawPolicySetting(JsonDocument.Parse("{}").RootElement.Clone()) };

        var endpoint = await _hcn.CreateEndpointAsync(network.Id, Endpoint("10.244.1.10", policies: l2Driver), cancellationToken);

        Assert.That(endpoint.Policies?.Select(p => p.Type), Is.EqualTo(new[] { EndpointPolicyType.L2Driver }));
    }

    [TestCase("10.244.1.1", TestName = "CreateEndpointAsync_GatewayAddress_ThrowsAddrInvalidOrReserved")]
    [TestCase("10.244.1.0", TestName = "CreateEndpointAsync_NetworkAddress_ThrowsAddrInvalidOrReserved")]
    [TestCase("10.244.1.255", TestName = "CreateEndpointAsync_BroadcastAddress_ThrowsAddrInvalidOrReserved")]
    [CancelAfter(10_000)]
    public async Task CreateEndpointAsync_ReservedAddress_ThrowsAddrInvalidOrReserved(string ip, CancellationToken cancellationToken)
    {
        var network = await _hcn.CreateNetworkAsync(L2Bridge(), cancellationToken);

        var ex = Assert.ThrowsAsync<HcnException>(() => _hcn.CreateEndpointAsync(network.Id, Endpoint(ip), cancellationToken));

        Assert.That(ex!.HResult, Is.EqualTo(HcnErrorCodes.AddrInvalidOrReserved), ex.Message);
    }

    [Test]
    [CancelAfter(10_000)]
    public async Task CreateEndpointAsync_GatewayWithDoNotReserveFlag_IsAllowed(CancellationToken cancellationToken)
    {
        var network = await _hcn.CreateNetworkAsync(L2Bridge(flags: SubnetFlags.DoNotReserveGatewayAddress), cancellationToken);

        var endpoint = await _hcn.CreateEndpointAsync(network.Id, Endpoint("10.244.1.1"), cancellationToken);

        Assert.That(endpoint.IpConfigurations?[0].IpAddress, Is.EqualTo("10.244.1.1"));
    }

    [Test]
    [CancelAfter(10_000)]
    public async Task CreateEndpointAsync_DuplicateIp_ThrowsAddrInvalidOrReserved(CancellationToken cancellationToken)
    {
        var network = await _hcn.CreateNetworkAsync(L2Bridge(), cancellationToken);
        await _hcn.CreateEndpointAsync(network.Id, Endpoint("10.244.1.10"), cancellationToken);

        var ex = Assert.ThrowsAsync<HcnException>(() => _hcn.CreateEndpointAsync(network.Id, Endpoint("10.244.1.10", "other"), cancellationToken));

        Assert.That(ex!.HResult, Is.EqualTo(HcnErrorCodes.AddrInvalidOrReserved), ex.Message);
    }

    [Test]
    [CancelAfter(10_000)]
    public async Task CreateEndpointAsync_DuplicateMac_ThrowsAddrInvalidOrReserved(CancellationToken cancellationToken)
    {
        var network = await _hcn.CreateNetworkAsync(L2Bridge(), cancellationToken);
        await _hcn.CreateEndpointAsync(network.Id, Endpoint("10.244.1.10") with { MacAddress = "00-15-5D-01-02-03" }, cancellationToken);

        var ex = Assert.ThrowsAsync<HcnException>(() => _hcn.CreateEndpointAsync(
            network.Id, Endpoint("10.244.1.11") with { MacAddress = "00:15:5d:01:02:03" }, cancellationToken));

        Assert.That(ex!.HResult, Is.EqualTo(HcnErrorCodes.AddrInvalidOrReserved), ex.Message);
    }

    [Test]
    [CancelAfter(10_000)]
    public async Task CreateEndpointAsync_RemoteEndpointsWithALocalEndpointsMac_AllCreated(CancellationToken cancellationToken)
    {
        var network = await _hcn.CreateNetworkAsync(L2Bridge(), cancellationToken);
        await _hcn.CreateEndpointAsync(network.Id, Endpoint("10.244.1.10") with { MacAddress = "00-15-5D-01-02-03" }, cancellationToken);

        var first = await _hcn.CreateEndpointAsync(
            network.Id, Endpoint("10.96.0.10") with { Flags = EndpointFlags.RemoteEndpoint, MacAddress = "00-15-5D-01-02-03" }, cancellationToken);
        var second = await _hcn.CreateEndpointAsync(
            network.Id, Endpoint("10.96.0.11") with { Flags = EndpointFlags.RemoteEndpoint, MacAddress = "00-15-5D-01-02-03" }, cancellationToken);
        await _hcn.DeleteEndpointAsync(first.Id, cancellationToken);
        var ex = Assert.ThrowsAsync<HcnException>(() => _hcn.CreateEndpointAsync(
            network.Id, Endpoint("10.244.1.11") with { MacAddress = "00-15-5D-01-02-03" }, cancellationToken));

        Assert.That(second.MacAddress, Is.EqualTo("00-15-5D-01-02-03"));
        Assert.That(ex!.HResult, Is.EqualTo(HcnErrorCodes.AddrInvalidOrReserved), "the local endpoint still holds it");
    }

    [Test]
    [CancelAfter(10_000)]
    public async Task CreateEndpointAsync_MalformedMac_ThrowsInvalidEndpoint(CancellationToken cancellationToken)
    {
        var network = await _hcn.CreateNetworkAsync(L2Bridge(), cancellationToken);

        var ex = Assert.ThrowsAsync<HcnException>(() => _hcn.CreateEndpointAsync(
            network.Id, Endpoint("10.244.1.10") with { MacAddress = "00-15-5D" }, cancellationToken));

        Assert.That(ex!.HResult, Is.EqualTo(HcnErrorCodes.InvalidEndpoint), ex.Message);
    }

    [Test]
    [CancelAfter(10_000)]
    public async Task CreateEndpointAsync_UnparseableIp_ThrowsInvalidIp(CancellationToken cancellationToken)
    {
        var network = await _hcn.CreateNetworkAsync(L2Bridge(), cancellationToken);

        var ex = Assert.ThrowsAsync<HcnException>(() => _hcn.CreateEndpointAsync(network.Id, Endpoint("10.244.1.300"), cancellationToken));

        Assert.That(ex!.HResult, Is.EqualTo(HcnErrorCodes.InvalidIp), ex.Message);
    }

    [Test]
    [CancelAfter(10_000)]
    public async Task CreateEndpointAsync_HostPortOnDifferentVip_IsAllowed(CancellationToken cancellationToken)
    {
        var network = await _hcn.CreateNetworkAsync(L2Bridge(), cancellationToken);
        await _hcn.CreateEndpointAsync(network.Id, Endpoint("10.244.1.10", "a", HostPort(8080, vip: "192.0.2.10")), cancellationToken);

        var other = await _hcn.CreateEndpointAsync(network.Id, Endpoint("10.244.1.11", "b", HostPort(8080, vip: "192.0.2.11")), cancellationToken);

        Assert.That(other.Id, Is.Not.EqualTo(Guid.Empty));
    }

    [Test]
    [CancelAfter(10_000)]
    public async Task CreateEndpointAsync_SameHostPortTwiceInOneRequest_ThrowsPortAlreadyExists(CancellationToken cancellationToken)
    {
        var network = await _hcn.CreateNetworkAsync(L2Bridge(), cancellationToken);

        var ex = Assert.ThrowsAsync<HcnException>(() => _hcn.CreateEndpointAsync(
            network.Id, Endpoint("10.244.1.10", "a", HostPort(8080, 80), HostPort(8080, 81)), cancellationToken));

        Assert.That(ex!.HResult, Is.EqualTo(HcnErrorCodes.PortAlreadyExists), ex.Message);
    }

    [Test]
    [CancelAfter(10_000)]
    public async Task CreateEndpointAsync_ExistingId_ThrowsAlreadyExists(CancellationToken cancellationToken)
    {
        var network = await _hcn.CreateNetworkAsync(L2Bridge(), cancellationToken);
        var first = await _hcn.CreateEndpointAsync(network.Id, Endpoint("10.244.1.10"), cancellationToken);

        var ex = Assert.ThrowsAsync<HcnException>(() => _hcn.CreateEndpointAsync(
            network.Id, Endpoint("10.244.1.11") with { Id = first.Id }, cancellationToken));

        Assert.That(ex!.HResult, Is.EqualTo(HcnErrorCodes.AlreadyExists), ex.Message);
    }

    [TestCase("10.244.1.0/33", TestName = "CreateNetworkAsync_PrefixTooLong_ThrowsInvalidPrefix")]
    [TestCase("10.244.1.5/24", TestName = "CreateNetworkAsync_PrefixWithHostBits_ThrowsInvalidPrefix")]
    [TestCase("bogus", TestName = "CreateNetworkAsync_PrefixNotCidr_ThrowsInvalidPrefix")]
    [CancelAfter(10_000)]
    public void CreateNetworkAsync_BadPrefix_ThrowsInvalidPrefix(string prefix, CancellationToken cancellationToken)
    {
        var network = L2Bridge() with { Ipams = [new Ipam { Type = IpamType.Static, Subnets = [new Subnet { IpAddressPrefix = prefix }] }] };

        var ex = Assert.ThrowsAsync<HcnException>(() => _hcn.CreateNetworkAsync(network, cancellationToken));

        Assert.That(ex!.HResult, Is.EqualTo(HcnErrorCodes.InvalidPrefix), ex.Message);
    }

    [Test]
    [CancelAfter(10_000)]
    public void CreateNetworkAsync_OverlappingSubnets_ThrowsInvalidSubnet(CancellationToken cancellationToken)
    {
        var network = L2Bridge() with
        {
            Ipams = [new Ipam { Type = IpamType.Static, Subnets = [new Subnet { IpAddressPrefix = "10.244.0.0/16" }, new Subnet { IpAddressPrefix = "10.244.1.0/24" }] }],
        };

        var ex = Assert.ThrowsAsync<HcnException>(() => _hcn.CreateNetworkAsync(network, cancellationToken));

        Assert.That(ex!.HResult, Is.EqualTo(HcnErrorCodes.InvalidSubnet), ex.Message);
    }

    [Test]
    [CancelAfter(10_000)]
    public void CreateNetworkAsync_MalformedMacPool_ThrowsInvalidNetwork(CancellationToken cancellationToken)
    {
        var network = L2Bridge(macPool: new MacPool { Ranges = [new MacRange { StartMacAddress = "00-15-5D-00-00-10", EndMacAddress = "00-15-5D-00-00-01" }] });

        var ex = Assert.ThrowsAsync<HcnException>(() => _hcn.CreateNetworkAsync(network, cancellationToken));

        Assert.That(ex!.HResult, Is.EqualTo(HcnErrorCodes.InvalidNetwork), ex.Message);
    }

    [Test]
    [CancelAfter(10_000)]
    public void CreateNetworkAsync_VsidZero_ThrowsInvalidPolicy(CancellationToken cancellationToken)
    {
        var network = Overlay() with
        {
            Ipams = [new Ipam { Type = IpamType.Static, Subnets = [new Subnet { IpAddressPrefix = "10.244.2.0/24", Policies = [SubnetPolicy.Create(new VsidPolicySetting())] }] }],
        };

        var ex = Assert.ThrowsAsync<HcnException>(() => _hcn.CreateNetworkAsync(network, cancellationToken));

        Assert.That(ex!.HResult, Is.EqualTo(HcnErrorCodes.InvalidPolicy), ex.Message);
    }

    [Test]
    [CancelAfter(10_000)]
    public async Task AddNetworkPoliciesAsync_RemoteSubnetRouteOnL2Bridge_ThrowsInvalidPolicy(CancellationToken cancellationToken)
    {
        IHcn hcn = _hcn;
        var network = await hcn.CreateNetworkAsync(L2Bridge(), cancellationToken);
        var route = NetworkPolicy.Create(new RemoteSubnetRoutePolicySetting { DestinationPrefix = "10.244.3.0/24", IsolationId = 4096, ProviderAddress = "192.0.2.11" });

        var ex = Assert.ThrowsAsync<HcnException>(() => hcn.AddNetworkPoliciesAsync(network.Id, [route], cancellationToken));

        Assert.That(ex!.HResult, Is.EqualTo(HcnErrorCodes.InvalidPolicy), ex.Message);
    }

    [Test]
    [CancelAfter(10_000)]
    public async Task AddNetworkPoliciesAsync_SamePrefixDifferentProvider_ThrowsPolicyAlreadyExists(CancellationToken cancellationToken)
    {
        IHcn hcn = _hcn;
        var network = await hcn.CreateNetworkAsync(Overlay(), cancellationToken);
        RemoteSubnetRoutePolicySetting Route(string pa) => new() { DestinationPrefix = "10.244.3.0/24", IsolationId = 4096, ProviderAddress = pa };
        await hcn.AddNetworkPoliciesAsync(network.Id, [NetworkPolicy.Create(Route("192.0.2.11"))], cancellationToken);

        var ex = Assert.ThrowsAsync<HcnException>(() => hcn.AddNetworkPoliciesAsync(network.Id, [NetworkPolicy.Create(Route("192.0.2.12"))], cancellationToken));

        Assert.That(ex!.HResult, Is.EqualTo(HcnErrorCodes.PolicyAlreadyExists), ex.Message);
    }

    [Test]
    [CancelAfter(10_000)]
    public async Task ModifyNetworkAsync_UnsupportedResourceType_ThrowsRequestUnsupported(CancellationToken cancellationToken)
    {
        var network = await _hcn.CreateNetworkAsync(L2Bridge(), cancellationToken);
        var request = new ModifyNetworkSettingRequest { ResourceType = NetworkResourceType.Subnet, RequestType = RequestType.Add };

        var ex = Assert.ThrowsAsync<HcnException>(() => _hcn.ModifyNetworkAsync(network.Id, request, cancellationToken));

        Assert.That(ex!.HResult, Is.EqualTo(HcnErrorCodes.RequestUnsupported), ex.Message);
    }

    [Test]
    [CancelAfter(10_000)]
    public async Task ModifyNetworkAsync_RefreshPolicies_ThrowsRequestUnsupported(CancellationToken cancellationToken)
    {
        var network = await _hcn.CreateNetworkAsync(Overlay(), cancellationToken);
        var request = ModifyNetworkSettingRequest.ForPolicies(RequestType.Refresh, [NetworkPolicy.Create(new HostRoutePolicySetting())]);

        var ex = Assert.ThrowsAsync<HcnException>(() => _hcn.ModifyNetworkAsync(network.Id, request, cancellationToken));

        Assert.That(ex!.HResult, Is.EqualTo(HcnErrorCodes.RequestUnsupported), ex.Message);
    }

    [Test]
    [CancelAfter(10_000)]
    public async Task CreateLoadBalancerAsync_BadFrontendVip_ThrowsInvalidParameter(CancellationToken cancellationToken)
    {
        var network = await _hcn.CreateNetworkAsync(L2Bridge(), cancellationToken);
        var backend = await _hcn.CreateEndpointAsync(network.Id, Endpoint("10.244.1.10"), cancellationToken);

        var ex = Assert.ThrowsAsync<HcnException>(() => _hcn.CreateLoadBalancerAsync(ClusterIp(backend.Id, "10.96.0.300", 80), cancellationToken));

        Assert.That(ex!.HResult, Is.EqualTo(HcnErrorCodes.InvalidParameter), ex.Message);
    }

    [Test]
    [CancelAfter(10_000)]
    public async Task CreateLoadBalancerAsync_NoBackendLikeHns_ThrowsInvalidParameter(CancellationToken cancellationToken)
    {
        var network = await _hcn.CreateNetworkAsync(L2Bridge(), cancellationToken);
        var backend = await _hcn.CreateEndpointAsync(network.Id, Endpoint("10.244.1.10"), cancellationToken);

        var ex = Assert.ThrowsAsync<HcnException>(() => _hcn.CreateLoadBalancerAsync(
            ClusterIp(backend.Id, "10.96.0.10", 80) with { HostComputeEndpoints = [] }, cancellationToken));

        Assert.That(ex!.HResult, Is.EqualTo(HcnErrorCodes.InvalidParameter), ex.Message);
    }

    [Test]
    [CancelAfter(10_000)]
    public async Task CreateLoadBalancerAsync_NoBackendAccepted_StoredWithoutBackends(CancellationToken cancellationToken)
    {
        var hcn = new MemoryHcn(new MemoryHcnOptions { AcceptLoadBalancersWithoutBackends = true });
        var network = await hcn.CreateNetworkAsync(L2Bridge(), cancellationToken);
        var backend = await hcn.CreateEndpointAsync(network.Id, Endpoint("10.244.1.10"), cancellationToken);

        var lb = await hcn.CreateLoadBalancerAsync(ClusterIp(backend.Id, "10.96.0.10", 80) with { HostComputeEndpoints = null }, cancellationToken);

        Assert.That((await hcn.GetLoadBalancerAsync(lb.Id, cancellationToken)).HostComputeEndpoints ?? [], Is.Empty);
    }

    [Test]
    [CancelAfter(10_000)]
    public async Task CreateLoadBalancerAsync_NoPortMapping_ThrowsInvalidParameter(CancellationToken cancellationToken)
    {
        var network = await _hcn.CreateNetworkAsync(L2Bridge(), cancellationToken);
        var backend = await _hcn.CreateEndpointAsync(network.Id, Endpoint("10.244.1.10"), cancellationToken);

        var ex = Assert.ThrowsAsync<HcnException>(() => _hcn.CreateLoadBalancerAsync(
            ClusterIp(backend.Id, "10.96.0.10", 80) with { PortMappings = null }, cancellationToken));

        Assert.That(ex!.HResult, Is.EqualTo(HcnErrorCodes.InvalidParameter), ex.Message);
    }

    [Test]
    [CancelAfter(10_000)]
    public async Task CreateLoadBalancerAsync_UdpAndTcpOnSameVipAndPort_AreDistinctFrontends(CancellationToken cancellationToken)
    {
        var network = await _hcn.CreateNetworkAsync(L2Bridge(), cancellationToken);
        var backend = await _hcn.CreateEndpointAsync(network.Id, Endpoint("10.244.1.10"), cancellationToken);
        var tcp = ClusterIp(backend.Id, "10.96.0.10", 53);
        await _hcn.CreateLoadBalancerAsync(tcp, cancellationToken);

        var udp = await _hcn.CreateLoadBalancerAsync(
            tcp with { PortMappings = [tcp.PortMappings![0] with { Protocol = ProtocolType.Udp }] }, cancellationToken);

        Assert.That(udp.Id, Is.Not.EqualTo(Guid.Empty));
    }

    [Test]
    [CancelAfter(10_000)]
    public async Task CreateLoadBalancerAsync_Ipv4AndIpv6NodePortsOnSamePort_DoNotConflict(CancellationToken cancellationToken)
    {
        var network = await _hcn.CreateNetworkAsync(L2Bridge(), cancellationToken);
        var backend = await _hcn.CreateEndpointAsync(network.Id, Endpoint("10.244.1.10"), cancellationToken);
        var v4 = new HostComputeLoadBalancer
        {
            HostComputeEndpoints = [backend.Id],
            PortMappings = [new LoadBalancerPortMapping { Protocol = ProtocolType.Tcp, ExternalPort = 30080, InternalPort = 80 }],
        };
        await _hcn.CreateLoadBalancerAsync(v4, cancellationToken);

        var v6 = await _hcn.CreateLoadBalancerAsync(v4 with { Flags = LoadBalancerFlags.IPv6 }, cancellationToken);

        Assert.That(v6.Id, Is.Not.EqualTo(Guid.Empty));
    }

    [Test]
    [CancelAfter(10_000)]
    public async Task ModifyLoadBalancerAsync_HnsBefore15_4_ThrowsNotImplemented(CancellationToken cancellationToken)
    {
        var hcn = new MemoryHcn(new MemoryHcnOptions { Version = new(15, 3) });
        var network = await hcn.CreateNetworkAsync(L2Bridge(), cancellationToken);
        var backend = await hcn.CreateEndpointAsync(network.Id, Endpoint("10.244.1.10"), cancellationToken);
        var lb = await hcn.CreateLoadBalancerAsync(ClusterIp(backend.Id, "10.96.0.10", 80), cancellationToken);

        var ex = Assert.ThrowsAsync<HcnException>(() => hcn.ModifyLoadBalancerAsync(lb.Id, lb, cancellationToken));

        Assert.That(ex!.IsNotImplemented, Is.True, ex.Message);
    }

    [Test]
    [CancelAfter(10_000)]
    public async Task ModifyLoadBalancerAsync_FrontendOfAnother_ThrowsPortAlreadyExistsAndKeepsOld(CancellationToken cancellationToken)
    {
        var network = await _hcn.CreateNetworkAsync(L2Bridge(), cancellationToken);
        var backend = await _hcn.CreateEndpointAsync(network.Id, Endpoint("10.244.1.10"), cancellationToken);
        await _hcn.CreateLoadBalancerAsync(ClusterIp(backend.Id, "10.96.0.10", 80), cancellationToken);
        var second = await _hcn.CreateLoadBalancerAsync(ClusterIp(backend.Id, "10.96.0.11", 80), cancellationToken);

        var ex = Assert.ThrowsAsync<HcnException>(() => _hcn.ModifyLoadBalancerAsync(
            second.Id, second with { FrontendVips = ["10.96.0.10"] }, cancellationToken));

        Assert.That(ex!.HResult, Is.EqualTo(HcnErrorCodes.PortAlreadyExists), ex.Message);
        Assert.That((await _hcn.GetLoadBalancerAsync(second.Id, cancellationToken)).FrontendVips, Is.EqualTo(new[] { "10.96.0.11" }));
    }

    [Test]
    [CancelAfter(10_000)]
    public async Task CreateNamespaceAsync_SecondHostDefault_ThrowsDefaultNamespaceExists(CancellationToken cancellationToken)
    {
        await _hcn.CreateNamespaceAsync(new HostComputeNamespace { Type = NamespaceType.HostDefault }, cancellationToken);

        var ex = Assert.ThrowsAsync<HcnException>(() => _hcn.CreateNamespaceAsync(new HostComputeNamespace { Type = NamespaceType.HostDefault }, cancellationToken));

        Assert.That(ex!.HResult, Is.EqualTo(HcnErrorCodes.GcnDefaultNamespaceExists), ex.Message);
    }

    [Test]
    [CancelAfter(10_000)]
    public void CreateNamespaceAsync_UnknownType_ThrowsInvalidParameter(CancellationToken cancellationToken)
    {
        var ex = Assert.ThrowsAsync<HcnException>(() => _hcn.CreateNamespaceAsync(new HostComputeNamespace { Type = NamespaceType.FromValue("Moon") }, cancellationToken));

        Assert.That(ex!.HResult, Is.EqualTo(HcnErrorCodes.InvalidParameter), ex.Message);
    }

    [Test]
    [CancelAfter(10_000)]
    public async Task AddNamespaceEndpointAsync_RemoteEndpoint_ThrowsInvalidRemoteEndpointOperation(CancellationToken cancellationToken)
    {
        IHcn hcn = _hcn;
        var network = await hcn.CreateNetworkAsync(Overlay(), cancellationToken);
        var remote = await hcn.CreateEndpointAsync(network.Id, Endpoint("10.244.3.7", "remote") with { Flags = EndpointFlags.RemoteEndpoint }, cancellationToken);
        var ns = await hcn.CreateNamespaceAsync(new HostComputeNamespace { Type = NamespaceType.Host }, cancellationToken);

        var ex = Assert.ThrowsAsync<HcnException>(() => hcn.AddNamespaceEndpointAsync(ns.Id, remote.Id, cancellationToken));

        Assert.That(ex!.HResult, Is.EqualTo(HcnErrorCodes.InvalidRemoteEndpointOperation), ex.Message);
    }

    [Test]
    [CancelAfter(10_000)]
    public async Task ModifyNamespaceAsync_MissingEndpointId_ThrowsInvalidParameter(CancellationToken cancellationToken)
    {
        var ns = await _hcn.CreateNamespaceAsync(new HostComputeNamespace { Type = NamespaceType.Host }, cancellationToken);
        var request = new ModifyNamespaceSettingRequest { ResourceType = NamespaceResourceType.Endpoint, RequestType = RequestType.Add };

        var ex = Assert.ThrowsAsync<HcnException>(() => _hcn.ModifyNamespaceAsync(ns.Id, request, cancellationToken));

        Assert.That(ex!.HResult, Is.EqualTo(HcnErrorCodes.InvalidParameter), ex.Message);
    }

    [Test]
    [CancelAfter(10_000)]
    public async Task CreateSdnRouteAsync_UnknownEndpoint_ThrowsEndpointNotFound(CancellationToken cancellationToken)
    {
        var ex = Assert.ThrowsAsync<HcnException>(() => _hcn.CreateSdnRouteAsync(new HostComputeRoute
        {
            HostComputeEndpoints = [Guid.NewGuid()],
            Routes = [new SdnRoutePolicySetting { DestinationPrefix = "10.96.0.0/12" }],
        }, cancellationToken));

        Assert.That(ex!.HResult, Is.EqualTo(HcnErrorCodes.EndpointNotFound), ex.Message);
        await Task.CompletedTask;
    }

    [Test]
    [CancelAfter(10_000)]
    public async Task UnknownIds_UseTheCodesOfTheIHcnContract(CancellationToken cancellationToken)
    {
        var id = Guid.NewGuid();

        var network = Assert.ThrowsAsync<HcnException>(() => _hcn.GetNetworkAsync(id, cancellationToken));
        var endpoint = Assert.ThrowsAsync<HcnException>(() => _hcn.GetEndpointAsync(id, cancellationToken));
        var ns = Assert.ThrowsAsync<HcnException>(() => _hcn.GetNamespaceAsync(id, cancellationToken));
        var lb = Assert.ThrowsAsync<HcnException>(() => _hcn.GetLoadBalancerAsync(id, cancellationToken));
        var route = Assert.ThrowsAsync<HcnException>(() => _hcn.GetSdnRouteAsync(id, cancellationToken));

        // HcnOpen* on an unknown GUID: ERROR_NOT_FOUND for every kind (hcsshim hcn/hcnerrors_test.go TestNotFoundError).
        Assert.That(network!.HResult, Is.EqualTo(HcnErrorCodes.ElementNotFound));
        Assert.That(endpoint!.HResult, Is.EqualTo(HcnErrorCodes.ElementNotFound));
        Assert.That(ns!.HResult, Is.EqualTo(HcnErrorCodes.ElementNotFound));
        Assert.That(lb!.HResult, Is.EqualTo(HcnErrorCodes.ElementNotFound));
        Assert.That(route!.HResult, Is.EqualTo(HcnErrorCodes.ElementNotFound));
        await Task.CompletedTask;
    }
}
