namespace Cni.Node.Networks;

/// <summary>
/// Why the node network is not ready, as <see cref="PodNetwork"/> tells the cases apart (the reason text is the note:
/// what exactly, and what to do). Some are waits that are normal while a node starts (<see cref="NodeNetworkProblems.IsWait"/>).
/// </summary>
public enum NodeNetworkProblem
{
    /// <summary>Ready.</summary>
    None,

    /// <summary>wincnid is starting, or is reconciling the IPAM journal with the endpoints before it serves ADDs.</summary>
    Starting,

    /// <summary>This node's facts cannot be read yet (the API server, the Node object, a node-public-ip annotation).</summary>
    NodeFactsUnavailable,

    /// <summary>The Node has no pod CIDR (podCIDRs empty and no fallback in the node config).</summary>
    PodCidrMissing,

    /// <summary>The Node's pod CIDRs differ from those IPAM opened; wincnid must be restarted.</summary>
    PodCidrChanged,

    /// <summary>The node config cannot be made into a network (a value HNS or the host cannot take; nodeIP unknown).</summary>
    ConfigInvalid,

    /// <summary>An adapter the config selects (by MAC or subnet) is not on the host.</summary>
    AdapterMissing,

    /// <summary>This HNS lacks a feature the config needs.</summary>
    HnsFeatureMissing,

    /// <summary>Several HCN networks have the name, or one differs from the config and still has endpoints.</summary>
    NetworkConflict,

    /// <summary>The network disappeared (an ADD found it gone); the next reconcile recreates it.</summary>
    NetworkMissing,

    /// <summary>HNS is stopping, busy or timing out (a transient HRESULT).</summary>
    HnsUnavailable,

    /// <summary>HNS refused to create, read or change the network with an HRESULT retrying will not cure.</summary>
    HcnError,

    /// <summary>What HNS makes after a create (the ProviderAddress, a host vNIC) has not appeared yet.</summary>
    HostInterfaceMissing,

    /// <summary>The host side (forwarding, routes on the host's interfaces) could not be set up.</summary>
    HostSetupFailed,

    /// <summary>The IPAM journal refuses writes (the state directory's disk).</summary>
    IpamJournalFailed,
}
