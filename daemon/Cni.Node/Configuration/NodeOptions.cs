using System.Net;

namespace Cni.Node.Configuration;

/// <summary>
/// The node's configuration after loading and validation (the daemon reads it from the node config file,
/// <c>--config</c>; keys as in the README). Everything downstream trusts these values: the loader rejects bad ones with
/// the key's name.
/// </summary>
public sealed record NodeOptions
{
    /// <summary>HCN network type of the node's pod network.</summary>
    public NetworkMode Mode { get; init; } = NetworkMode.Overlay;

    /// <summary>Name of the HCN network and of the CNI network (the conflist's <c>name</c>).</summary>
    public string NetworkName { get; init; } = "wincni";

    /// <summary>The whole cluster's pod CIDRs: traffic to them is not NATed.</summary>
    public IReadOnlyList<IPNetwork> ClusterCidrs { get; init; } = [];

    /// <summary>Service CIDRs: routed to the host's service proxy from pods.</summary>
    public IReadOnlyList<IPNetwork> ServiceCidrs { get; init; } = [];

    /// <summary>This node's pod CIDRs when the Node object provides none (and without a cluster).</summary>
    public IReadOnlyList<IPNetwork> PodCidrs { get; init; } = [];

    /// <summary>The node's own address (the VXLAN provider address / L2Bridge next hop), or null to detect it.</summary>
    public IPAddress? NodeIp { get; init; }

    /// <summary>L2Bridge: the host adapter the network binds to (HCN NetAdapterName policy), or null for the default.</summary>
    /// <remarks>The short form of one <see cref="Adapters"/> entry chosen by name; the loader refuses both together.</remarks>
    public string? AdapterName { get; init; }

    public VxlanOptions Vxlan { get; init; } = new();

    /// <summary>
    /// Transparent mode: the static pool on the physical network (node config section <c>staticPool</c>); required
    /// there and refused in every other mode. Its subnet is the node's only pod CIDR (<see cref="PodCidrs"/>).
    /// </summary>
    public StaticPoolOptions? StaticPool { get; init; }

    /// <summary>Pod interface MTU.</summary>
    public int Mtu { get; init; } = 1450;

    /// <summary>The service proxy (node config section <c>serviceProxy</c>).</summary>
    public ServiceProxyOptions ServiceProxy { get; init; } = new();

    /// <summary>
    /// Whether direct server return is on, which adds the loopback-DSR policy to pod endpoints. Not a config key: the
    /// daemon resolves it at start from <see cref="ServiceProxyOptions.Dsr"/> and HNS's features.
    /// </summary>
    public bool Dsr { get; init; }

    /// <summary>DNS given to pods when the runtime sends no <c>dns</c> capability.</summary>
    public DnsOptions Dns { get; init; } = new();

    /// <summary>Daemon state (IPAM journal). Linux /var/lib/wincni, Windows C:\ProgramData\wincni.</summary>
    public string StateDir { get; init; } = OperatingSystem.IsWindows() ? @"C:\ProgramData\wincni" : "/var/lib/wincni";

    /// <summary>The CNI socket the plugin connects to.</summary>
    public string Socket { get; init; } = Cni.Spec.Wire.DaemonProtocol.DefaultSocketPath;

    /// <summary>Address of the HTTP endpoints /healthz, /readyz and /metrics.</summary>
    public string HealthAddress { get; init; } = "127.0.0.1:9872";

    /// <summary>How long a released pod address waits before reuse.</summary>
    public TimeSpan IpQuarantine { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long a node network wait that is normal while a node starts (the Node's podCIDR, HNS making a vNIC, HNS
    /// restarting) may last before it is posted as a Warning Event on the Node; problems that need a person at once
    /// (a conflicting network, an HRESULT retrying will not cure) are posted without waiting.
    /// </summary>
    public TimeSpan EventGracePeriod { get; init; } = TimeSpan.FromSeconds(30);

    public LogOptions Log { get; init; } = new();

    /// <summary>How many HCN calls may run at once (HNS slows down when flooded); see <c>Dataplane.BoundedHcn</c>.</summary>
    public int MaxConcurrentHcnCalls { get; init; } = 16;

    /// <summary>
    /// The host adapters the network binds to, each chosen by name, MAC or subnet; several make a Switch Embedded
    /// Teaming team (one NetAdapterName policy each). Empty: <see cref="AdapterName"/>, else HNS's default.
    /// </summary>
    public IReadOnlyList<AdapterSelector> Adapters { get; init; } = [];

    /// <summary>The network's VLAN (HCN VLAN subnet policy: every pod in it), or null for none. l2bridge only.</summary>
    public int? Vlan { get; init; }

    /// <summary>The pods' OutBoundNAT: on/off and extra exception CIDRs.</summary>
    public OutboundNatOptions OutboundNat { get; init; } = new();

    /// <summary>The pods' default firewall, as HCN endpoint ACL policies.</summary>
    public FirewallOptions Firewall { get; init; } = new();
}
