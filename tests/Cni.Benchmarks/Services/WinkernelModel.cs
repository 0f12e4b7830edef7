namespace Cni.Benchmarks.Services;

/// <summary>
/// The HNS operations kube-proxy's winkernel proxier would make for the same work, counted from its algorithm as
/// /work/shared/reference/service-proxy.md describes it (section numbers below are that document's). Writes are HNS
/// creates, modifies and deletes; RPCs add the reads, where a list of N objects costs N+1 (hnslib opens and queries
/// each object after enumerating the IDs, §1).
/// </summary>
internal static class WinkernelModel
{
    /// <summary>
    /// The first sync after start on a node with <paramref name="localEndpoints"/> pod endpoints and no load balancer:
    /// start deletes every LB (one list, §5.1); the sync lists endpoints and LBs once (§5.2 step 4); overlay ensures the
    /// source-VIP endpoint (§4.2, counted as created) and a ClusterIP remote endpoint per Service (§4.2, per ServicePort
    /// in the code, counted once per cluster IP here: a lower bound); one remote endpoint per remote backend IP
    /// (refcounted, §4.1.4); one LB per frontend (§5.3).
    /// </summary>
    public static WinkernelCount InitialSync(ServiceWorkload workload, int localEndpoints)
    {
        ArgumentNullException.ThrowIfNull(workload);
        var overlayEndpoints = workload.Overlay ? 1 + workload.ServiceCount : 0;
        var writes = (long)overlayEndpoints + workload.RemoteAddresses + workload.LoadBalancers;
        var reads = 1L + (localEndpoints + 1) + 1;
        return new WinkernelCount(writes, reads);
    }

    /// <summary>
    /// One sync after one Service's EndpointSlice moved one remote backend: the sync lists every endpoint of the
    /// network and every LB (§5.2 step 4; §6: "every sync, even a no-op, does O(#endpoints + #LBs) HCN calls"), creates
    /// the new remote endpoint (§4.1), updates each of the Service's LBs in place with ModifyLoadBalancer, or without it
    /// deletes and recreates each (§5.3), and deletes the terminated remote endpoint (refcount 0, §4.1.5, §5.2 step 8).
    /// </summary>
    public static WinkernelCount EndpointChange(ServiceWorkload workload, int localEndpoints, int loadBalancersOfService, bool modify)
    {
        ArgumentNullException.ThrowIfNull(workload);
        var overlayEndpoints = workload.Overlay ? 1 + workload.ServiceCount : 0;
        var endpoints = (long)localEndpoints + workload.RemoteAddresses + overlayEndpoints;
        var writes = 1L + (modify ? loadBalancersOfService : 2L * loadBalancersOfService) + 1;
        var reads = (endpoints + 1) + (workload.LoadBalancers + 1);
        return new WinkernelCount(writes, reads);
    }
}

/// <summary>HNS writes, and every HNS RPC (writes plus reads, a list of N costing N+1).</summary>
internal sealed record WinkernelCount(long Writes, long Reads)
{
    public long Rpcs => Writes + Reads;
}
