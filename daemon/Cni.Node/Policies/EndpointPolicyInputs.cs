using System.Net;
using Cni.Node.Configuration;
using Cni.Spec.Capabilities;

namespace Cni.Node.Policies;

/// <summary>
/// Everything the endpoint policies of one pod depend on. The policies that sdnbridge/sdnoverlay and
/// win-bridge/win-overlay configs make admins write by hand (OutBoundNAT exceptions, SDN routes, ProviderAddress)
/// follow from these inputs alone.
/// </summary>
public sealed record EndpointPolicyInputs
{
    /// <summary>The HCN network type of the pod network.</summary>
    public required NetworkMode Mode { get; init; }

    /// <summary>Every pod CIDR of the cluster (pod-to-pod traffic is never NATed).</summary>
    public IReadOnlyList<IPNetwork> ClusterCidrs { get; init; } = [];

    /// <summary>The service CIDRs (routed to the host's service proxy, never NATed).</summary>
    public IReadOnlyList<IPNetwork> ServiceCidrs { get; init; } = [];

    /// <summary>The node's own address, or null when unknown (no node route, no ProviderAddress).</summary>
    public IPAddress? NodeIp { get; init; }

    /// <summary>The pod's addresses: one per family (IPv4 first when dual-stack).</summary>
    public required IReadOnlyList<IPAddress> PodAddresses { get; init; }

    /// <summary>Direct server return is on: add the loopback-DSR policy.</summary>
    public bool Dsr { get; init; }

    /// <summary><c>runtimeConfig.portMappings</c> (hostPort), or empty.</summary>
    public IReadOnlyList<PortMapping> PortMappings { get; init; } = [];

    /// <summary>
    /// The name the pod's interface must get (CNI_IFNAME), given only where the dataplane names interfaces after the
    /// endpoint's <c>PortName</c> policy (KernelHcn); null on HNS, where Windows names the container's vNIC itself.
    /// </summary>
    public string? InterfaceName { get; init; }

    /// <summary>The node's OutBoundNAT settings: off gives no OutBoundNAT policy; extra exceptions join the derived ones.</summary>
    public OutboundNatOptions OutboundNat { get; init; } = new();

    /// <summary>The node's default pod firewall, turned into ACL policies.</summary>
    public FirewallOptions Firewall { get; init; } = new();

    /// <summary>This endpoint's own VLAN (CNI_ARGS <c>VLAN</c>), or null to stay in the network's.</summary>
    public int? Vlan { get; init; }
}
