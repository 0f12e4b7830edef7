using System.Globalization;
using Cni.Hcn.Errors;
using Cni.Hcn.Model;
using Cni.Hcn.Model.Policies;

namespace Cni.Hcn.Tests.Contract;

/// <summary>
/// The behaviours every <see cref="IHcn"/> must show (create/attach/modify/delete/enumerate/errors), written only
/// against the interface so that <c>MemoryHcn</c>, <c>KernelHcn</c> and <c>WindowsHcn</c> (on a Windows host) run the
/// same suite unchanged. Every test creates its own objects with unique names and subnets and removes them afterwards,
/// so it can also run against a real host. Error codes asserted here are the ones the <see cref="IHcn"/> error
/// contract names.
/// </summary>
public abstract partial class HcnContractTests
{
    private const int TestTimeoutMs = 60_000;

    private static int s_subnetCounter;

    private readonly List<(string Kind, Guid Id)> _created = [];

    /// <summary>The implementation under test, fresh for every test.</summary>
    protected IHcn Hcn { get; private set; } = null!;

    /// <summary>A prefix for names, unique per test, so runs against a shared host never collide.</summary>
    protected string NamePrefix { get; private set; } = string.Empty;

    /// <summary>Policies every test network carries, e.g. <c>NetAdapterName</c> on a real Windows host.</summary>
    protected virtual IReadOnlyList<NetworkPolicy> HostNetworkPolicies => [];

    /// <summary>The first two octets of the 172.16.0.0/12 block test subnets are carved from.</summary>
    protected virtual string SubnetBase => "172.29";

    /// <summary>Creates the implementation under test.</summary>
    /// <returns>A fresh instance.</returns>
    protected abstract IHcn CreateHcn();

    [SetUp]
    public void CreateImplementation()
    {
        Hcn = CreateHcn();
        NamePrefix = "wincni-ct-" + Guid.NewGuid().ToString("N")[..8];
        _created.Clear();
    }

    [TearDown]
    public async Task RemoveCreatedObjectsAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        foreach (var kind in new[] { "route", "lb", "ns", "ep", "net" })
        {
            foreach (var (_, id) in _created.Where(c => c.Kind == kind).Reverse())
            {
                try
                {
                    await (kind switch
                    {
                        "route" => Hcn.DeleteSdnRouteAsync(id, timeout.Token),
                        "lb" => Hcn.DeleteLoadBalancerAsync(id, timeout.Token),
                        "ns" => Hcn.DeleteNamespaceAsync(id, timeout.Token),
                        "ep" => Hcn.DeleteEndpointAsync(id, timeout.Token),
                        _ => Hcn.DeleteNetworkAsync(id, timeout.Token),
                    }).ConfigureAwait(false);
                }
                catch (HcnException ex) when (ex.IsNotFound)
                {
                    // Already removed by the test (or with its network).
                }
            }
        }

        switch (Hcn)
        {
            case IAsyncDisposable asyncDisposable:
                await asyncDisposable.DisposeAsync().ConfigureAwait(false);
                break;
            case IDisposable disposable:
                disposable.Dispose();
                break;
        }
    }

    /// <summary>A fresh /24 for this test, e.g. <c>172.29.7.0/24</c>; returns its first three octets.</summary>
    protected string NextSubnet() =>
        string.Create(CultureInfo.InvariantCulture, $"{SubnetBase}.{Interlocked.Increment(ref s_subnetCounter) % 250}");

    protected static Ipam StaticIpam(string net24, params SubnetPolicy[] policies) => new()
    {
        Type = IpamType.Static,
        Subnets =
        [
            new Subnet
            {
                IpAddressPrefix = net24 + ".0/24",
                Routes = [new Route { NextHop = net24 + ".1", DestinationPrefix = "0.0.0.0/0" }],
                Policies = policies.Length == 0 ? null : policies,
            },
        ],
    };

    protected async Task<HostComputeNetwork> CreateL2BridgeAsync(string net24, CancellationToken cancellationToken, string? name = null)
    {
        var network = await Hcn.CreateNetworkAsync(new HostComputeNetwork
        {
            Name = name ?? NamePrefix + "-l2b-" + net24.Replace('.', '-'),
            Type = NetworkType.L2Bridge,
            Policies = HostNetworkPolicies.Count == 0 ? null : HostNetworkPolicies,
            Ipams = [StaticIpam(net24)],
        }, cancellationToken).ConfigureAwait(false);
        Track("net", network.Id);
        return network;
    }

    protected async Task<HostComputeNetwork> CreateOverlayAsync(string net24, CancellationToken cancellationToken)
    {
        var network = await Hcn.CreateNetworkAsync(new HostComputeNetwork
        {
            Name = NamePrefix + "-vxlan-" + net24.Replace('.', '-'),
            Type = NetworkType.Overlay,
            Policies = HostNetworkPolicies.Count == 0 ? null : HostNetworkPolicies,
            Ipams = [StaticIpam(net24, SubnetPolicy.Create(new VsidPolicySetting { IsolationId = 4096 }))],
            Flags = NetworkFlags.EnableNonPersistent,
        }, cancellationToken).ConfigureAwait(false);
        Track("net", network.Id);
        return network;
    }

    protected async Task<HostComputeEndpoint> CreateEndpointAsync(
        HostComputeNetwork network, string ip, CancellationToken cancellationToken, string? name = null, params EndpointPolicy[] policies)
    {
        var endpoint = await Hcn.CreateEndpointAsync(network.Id, new HostComputeEndpoint
        {
            Name = name ?? NamePrefix + "-ep-" + ip.Replace('.', '-'),
            IpConfigurations = [new IpConfig { IpAddress = ip, PrefixLength = 24 }],
            Policies = policies.Length == 0 ? null : policies,
        }, cancellationToken).ConfigureAwait(false);
        Track("ep", endpoint.Id);
        return endpoint;
    }

    protected async Task<HostComputeNamespace> CreateNamespaceAsync(CancellationToken cancellationToken)
    {
        var ns = await Hcn.CreateNamespaceAsync(new HostComputeNamespace { Type = NamespaceType.Host }, cancellationToken).ConfigureAwait(false);
        Track("ns", ns.Id);
        return ns;
    }

    protected async Task<HostComputeLoadBalancer> CreateLoadBalancerAsync(HostComputeLoadBalancer loadBalancer, CancellationToken cancellationToken)
    {
        var created = await Hcn.CreateLoadBalancerAsync(loadBalancer, cancellationToken).ConfigureAwait(false);
        Track("lb", created.Id);
        return created;
    }

    protected async Task<HostComputeRoute> CreateSdnRouteAsync(HostComputeRoute route, CancellationToken cancellationToken)
    {
        var created = await Hcn.CreateSdnRouteAsync(route, cancellationToken).ConfigureAwait(false);
        Track("route", created.Id);
        return created;
    }

    protected static LoadBalancerPortMapping Tcp(ushort external, ushort internalPort) =>
        new() { Protocol = ProtocolType.Tcp, ExternalPort = external, InternalPort = internalPort };

    protected static EndpointPolicy HostPort(ushort external, ushort internalPort) =>
        EndpointPolicy.Create(new PortMappingPolicySetting { Protocol = ProtocolType.Tcp, InternalPort = internalPort, ExternalPort = external });

    /// <summary>Records an object the test created through <see cref="Hcn"/> directly, for cleanup.</summary>
    protected void Track(string kind, Guid id)
    {
        lock (_created)
        {
            _created.Add((kind, id));
        }
    }
}
