namespace Cni.Node.Networks;

/// <summary>What each <see cref="NodeNetworkProblem"/> means for the person running the node.</summary>
public static class NodeNetworkProblems
{
    /// <summary>
    /// Whether the problem is a wait that is normal while a node starts or HNS settles (the Node's podCIDR being
    /// allocated, HNS making a vNIC, HNS restarting): reported only when it lasts. The others need a person at once.
    /// </summary>
    public static bool IsWait(NodeNetworkProblem problem) => problem is
        NodeNetworkProblem.Starting
        or NodeNetworkProblem.NodeFactsUnavailable
        or NodeNetworkProblem.PodCidrMissing
        or NodeNetworkProblem.AdapterMissing
        or NodeNetworkProblem.NetworkMissing
        or NodeNetworkProblem.HnsUnavailable
        or NodeNetworkProblem.HostInterfaceMissing;
}
