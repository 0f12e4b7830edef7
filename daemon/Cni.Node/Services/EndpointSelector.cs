namespace Cni.Node.Services;

/// <summary>
/// Ready/serving/terminating (KEP-1669) and topology-hint selection, after kubernetes pkg/proxy/topology.go
/// (CategorizeEndpoints, topologyModeFromHints, availableForTopology). Unlike winkernel, which falls back to
/// terminating endpoints only for services with ingress IPs and passes every endpoint when none is serving
/// (kubernetes pkg/proxy/winkernel/proxier.go), the fallback here applies to every frontend and a non-serving
/// endpoint is never used.
/// </summary>
public static class EndpointSelector
{
    /// <summary>Selects from <paramref name="merged"/> for this node.</summary>
    /// <param name="merged">The ServicePort's endpoints of one family.</param>
    /// <param name="nodeName">This node's name (node hints).</param>
    /// <param name="zone">This node's topology.kubernetes.io/zone, or null (zone hints are then ignored).</param>
    /// <returns>The cluster-wide and the local endpoint sets.</returns>
    public static EndpointSelection Select(MergedEndpoints merged, string nodeName, string? zone)
    {
        ArgumentNullException.ThrowIfNull(merged);
        ArgumentNullException.ThrowIfNull(nodeName);
        var endpoints = merged.Endpoints;
        var topology = TopologyFromHints(endpoints, nodeName, zone);
        var cluster = new List<ServiceEndpoint>(endpoints.Count);
        foreach (var endpoint in endpoints)
        {
            if (endpoint.Ready && AvailableForTopology(endpoint, topology, nodeName, zone))
            {
                cluster.Add(endpoint);
            }
        }

        // No ready endpoint for this topology means none anywhere (the hints were ignored otherwise): fall back.
        if (cluster.Count == 0)
        {
            foreach (var endpoint in endpoints)
            {
                if (endpoint.IsServingTerminating)
                {
                    cluster.Add(endpoint);
                }
            }
        }

        var localReady = false;
        var localServingTerminating = false;
        var usable = false;
        foreach (var endpoint in endpoints)
        {
            if (endpoint.Ready)
            {
                usable = true;
                localReady |= endpoint.IsLocal;
            }
            else if (endpoint.IsServingTerminating)
            {
                usable = true;
                localServingTerminating |= endpoint.IsLocal;
            }
        }

        var local = new List<ServiceEndpoint>();
        if (localReady || localServingTerminating)
        {
            foreach (var endpoint in endpoints)
            {
                if (endpoint.IsLocal && (localReady ? endpoint.Ready : endpoint.IsServingTerminating))
                {
                    local.Add(endpoint);
                }
            }
        }

        return new EndpointSelection(cluster, local, topology, usable);
    }

    /// <summary>
    /// All or nothing, over ready endpoints: node hints count only when every ready endpoint has one and one names
    /// this node; otherwise zone hints, only when every ready endpoint has one and one names this node's zone.
    /// </summary>
    private static TopologyMode TopologyFromHints(IReadOnlyList<ServiceEndpoint> endpoints, string nodeName, string? zone)
    {
        var allHaveNodeHints = true;
        var anyForNode = false;
        var allHaveZoneHints = true;
        var anyForZone = false;
        var anyReady = false;
        foreach (var endpoint in endpoints)
        {
            if (!endpoint.Ready)
            {
                continue;
            }

            anyReady = true;
            if (endpoint.NodeHints.Count == 0)
            {
                allHaveNodeHints = false;
            }
            else if (Contains(endpoint.NodeHints, nodeName))
            {
                anyForNode = true;
            }

            if (endpoint.ZoneHints.Count == 0)
            {
                allHaveZoneHints = false;
            }
            else if (zone is { Length: > 0 } && Contains(endpoint.ZoneHints, zone))
            {
                anyForZone = true;
            }
        }

        return !anyReady ? TopologyMode.None
            : allHaveNodeHints && anyForNode ? TopologyMode.Node
            : allHaveZoneHints && anyForZone ? TopologyMode.Zone
            : TopologyMode.None;
    }

    private static bool AvailableForTopology(ServiceEndpoint endpoint, TopologyMode topology, string nodeName, string? zone) => topology switch
    {
        TopologyMode.Node => Contains(endpoint.NodeHints, nodeName),
        TopologyMode.Zone => zone is not null && Contains(endpoint.ZoneHints, zone),
        _ => true,
    };

    private static bool Contains(IReadOnlyList<string> names, string name)
    {
        foreach (var candidate in names)
        {
            if (candidate == name)
            {
                return true;
            }
        }

        return false;
    }
}
