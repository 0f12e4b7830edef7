using System.Net;
using Cni.Hcn.Memory;
using Cni.Hcn.Model;
using Cni.Hcn.Model.Policies;
using Cni.Hcn.Versioning;
using Cni.Node.Services;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Cni.Node.Tests.Services;

/// <summary>
/// The engine on MemoryHcn: an overlay network with this node's pod subnet 10.244.1.0/24, pods added on demand,
/// peer Node <c>n2</c> (pods 10.244.2.x) at provider address 192.0.2.11, and a fake clock for backoff.
/// </summary>
internal sealed class ServiceProxyHarness
{
    public const string PeerNode = "n2";
    public const string PeerProviderAddress = "192.0.2.11";
    public const string LocalPodA = "10.244.1.5";
    public const string LocalPodB = "10.244.1.6";
    public const string RemotePodA = "10.244.2.5";
    public const string RemotePodB = "10.244.2.6";

    /// <summary>The host MAC the engine gives overlay ClusterIP endpoints.</summary>
    public const string HostMac = "00-15-5D-AA-BB-01";

    public static readonly TimeSpan InitialBackoff = TimeSpan.FromSeconds(1);

    private static readonly MemoryHcnOperation[] WriteOperations =
    [
        MemoryHcnOperation.CreateEndpoint, MemoryHcnOperation.ModifyEndpoint, MemoryHcnOperation.DeleteEndpoint,
        MemoryHcnOperation.CreateLoadBalancer, MemoryHcnOperation.ModifyLoadBalancer, MemoryHcnOperation.DeleteLoadBalancer,
    ];

    private readonly bool _acceptsEmpty;

    private ServiceProxyHarness(MemoryHcn hcn, Guid networkId, bool acceptsEmpty)
    {
        Hcn = hcn;
        Recorder = new OperationRecordingHcn(hcn);
        NetworkId = networkId;
        _acceptsEmpty = acceptsEmpty;
        Reconciler = NewReconciler();
    }

    public MemoryHcn Hcn { get; }

    /// <summary>The engine's view of <see cref="Hcn"/>, recording the order of its operations.</summary>
    public OperationRecordingHcn Recorder { get; }

    public FakeTimeProvider Time { get; } = new(DateTimeOffset.Parse("2026-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));

    public Guid NetworkId { get; }

    /// <summary>Node name → provider address, as the Node objects say; passes read it as it is then.</summary>
    public Dictionary<string, IPAddress> ProviderAddresses { get; } = new(StringComparer.Ordinal) { [PeerNode] = IPAddress.Parse(PeerProviderAddress) };

    /// <summary>This node's provider address as passes give it (the PA of node-less backends and of ClusterIP endpoints).</summary>
    public IPAddress LocalProviderAddress { get; set; } = IPAddress.Parse(NodeFactsBuilder.NodeIpV4);

    /// <summary>Whether passes say the network is Overlay (remote endpoints get a provider address); false: l2bridge.</summary>
    public bool Overlay { get; set; } = true;

    public LoadBalancerReconciler Reconciler { get; private set; }

    /// <summary>HCN writes (creates, modifies, deletes of endpoints and load balancers) since the last reset.</summary>
    public long Writes => WriteOperations.Sum(Hcn.GetCallCount);

    /// <summary>HCN listings of endpoints and load balancers since the last reset.</summary>
    public long Listings => Hcn.GetCallCount(MemoryHcnOperation.EnumerateEndpoints) + Hcn.GetCallCount(MemoryHcnOperation.EnumerateLoadBalancers);

    public static async Task<ServiceProxyHarness> CreateAsync(HcnVersion? version = null, bool acceptsEmpty = false)
    {
        var hcn = new MemoryHcn(new MemoryHcnOptions { Version = version ?? new HcnVersion(15, 4), AcceptLoadBalancersWithoutBackends = acceptsEmpty });
        var network = await hcn.CreateNetworkAsync(
            new HostComputeNetwork
            {
                Name = "wincni",
                Type = NetworkType.Overlay,
                Ipams =
                [
                    new Cni.Hcn.Model.Ipam
                    {
                        Type = IpamType.Static,
                        Subnets =
                        [
                            new Subnet
                            {
                                IpAddressPrefix = "10.244.1.0/24",
                                Routes = [new Route { NextHop = "10.244.1.1", DestinationPrefix = "0.0.0.0/0" }],
                                Policies = [SubnetPolicy.Create(new VsidPolicySetting { IsolationId = 4096 })],
                            },
                        ],
                    },
                ],
            },
            CancellationToken.None);
        return new ServiceProxyHarness(hcn, network.Id, acceptsEmpty);
    }

    /// <summary>A wincnid restart: a new engine (no memory of earlier passes) over the same HCN.</summary>
    public void Restart() => Reconciler = NewReconciler();

    public async Task<Guid> AddPodAsync(string ip) =>
        (await Hcn.CreateEndpointAsync(NetworkId, new HostComputeEndpoint { Name = "pod-" + ip, IpConfigurations = [new IpConfig { IpAddress = ip }] }, CancellationToken.None)).Id;

    public static ServiceTranslation Translate(ServiceBuilder service, params SliceBuilder[] slices) =>
        ServiceTranslator.Translate(service.Build(), [.. slices.Select(s => s.Build())], NodeFactsBuilder.Overlay().Build());

    /// <summary>A resync pass: lists HCN and compares everything.</summary>
    public Task<LoadBalancerPassReport> PassAsync(params ServiceTranslation[] services) => PassAsync(resync: true, services);

    /// <summary>An event-driven pass: trusts what the engine wrote since its last listing.</summary>
    public Task<LoadBalancerPassReport> IncrementalPassAsync(params ServiceTranslation[] services) => PassAsync(resync: false, services);

    private Task<LoadBalancerPassReport> PassAsync(bool resync, ServiceTranslation[] services) =>
        Reconciler.ReconcileAsync(
            new LoadBalancerPassInput(
                services,
                NetworkId,
                Overlay,
                Overlay ? new Dictionary<string, IPAddress>(ProviderAddresses, StringComparer.Ordinal) : new Dictionary<string, IPAddress>(StringComparer.Ordinal),
                Overlay ? LocalProviderAddress : null) { Resync = resync },
            CancellationToken.None);

    public async Task<IReadOnlyList<HostComputeLoadBalancer>> LoadBalancersAsync() =>
        await Hcn.EnumerateLoadBalancersAsync(null, CancellationToken.None);

    /// <summary>Remote endpoints that are backends (wincni's or anyone's), not wincni's ClusterIP VIP endpoints.</summary>
    public async Task<IReadOnlyList<HostComputeEndpoint>> RemoteEndpointsAsync() =>
        [.. (await Hcn.EnumerateEndpointsAsync(null, CancellationToken.None)).Where(e => e.Flags.HasFlag(EndpointFlags.RemoteEndpoint) && !ClusterIpEndpointIds.IsOwned(e.Id))];

    /// <summary>wincni's overlay ClusterIP VIP endpoints.</summary>
    public async Task<IReadOnlyList<HostComputeEndpoint>> VipEndpointsAsync() =>
        [.. (await Hcn.EnumerateEndpointsAsync(null, CancellationToken.None)).Where(e => ClusterIpEndpointIds.IsOwned(e.Id))];

    private LoadBalancerReconciler NewReconciler() => new(
        Recorder,
        new LoadBalancerReconcilerOptions { MaxParallelWrites = 4, AcceptsLoadBalancersWithoutBackends = _acceptsEmpty, InitialBackoff = InitialBackoff, HostMac = HostMac },
        Time,
        NullLogger<LoadBalancerReconciler>.Instance);
}
