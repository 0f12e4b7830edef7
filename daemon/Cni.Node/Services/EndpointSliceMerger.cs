using System.Net;
using AddressFamily = System.Net.Sockets.AddressFamily;
using Cni.Hcn.Model.Policies;
using Cni.Node.Ipam;
using k8s.Models;

namespace Cni.Node.Services;

/// <summary>
/// Merges the EndpointSlices of one Service into the endpoints of one ServicePort and IP family, as kube-proxy's
/// EndpointSliceCache does (kubernetes pkg/proxy/endpointslicecache.go): the slice port is matched by the
/// ServicePort's name and protocol, its number is the endpoint's backend port, an address seen in several slices
/// (mid-update) is kept once.
/// </summary>
public static class EndpointSliceMerger
{
    /// <summary>Merges <paramref name="slices"/> for one ServicePort and family.</summary>
    /// <param name="slices">Every EndpointSlice of the Service (label kubernetes.io/service-name), any order.</param>
    /// <param name="portName">The ServicePort's name (empty for the unnamed port).</param>
    /// <param name="protocol">The ServicePort's protocol.</param>
    /// <param name="family">The IP family wanted; slices and addresses of the other family are ignored.</param>
    /// <param name="nodeName">This node's name (decides <see cref="ServiceEndpoint.IsLocal"/>).</param>
    /// <returns>The endpoints, deduplicated and ordered by address, all on one port number.</returns>
    public static MergedEndpoints Merge(IReadOnlyList<V1EndpointSlice> slices, string portName, ProtocolType protocol, AddressFamily family, string nodeName)
    {
        ArgumentNullException.ThrowIfNull(slices);
        ArgumentNullException.ThrowIfNull(portName);
        ArgumentNullException.ThrowIfNull(nodeName);
        var addressType = family == AddressFamily.InterNetworkV6 ? "IPv6" : "IPv4";
        var byAddress = new Dictionary<(IPAddress Address, int Port), ServiceEndpoint>();
        foreach (var slice in OrderedByName(slices))
        {
            if (slice.AddressType != addressType || PortOf(slice, portName, protocol) is not { } port || slice.Endpoints is null)
            {
                continue;
            }

            foreach (var endpoint in slice.Endpoints)
            {
                if (ToEndpoint(endpoint, port, family, nodeName) is not { } candidate)
                {
                    continue;
                }

                var key = (candidate.Address, port);
                if (!byAddress.TryGetValue(key, out var existing) || Preferred(candidate, existing))
                {
                    byAddress[key] = candidate;
                }
            }
        }

        return byAddress.Count == 0 ? MergedEndpoints.Empty : OnOnePort(byAddress.Values);
    }

    /// <summary>Slices by name, so which duplicate wins and which port number wins a tie never depends on event order.</summary>
    private static V1EndpointSlice[] OrderedByName(IReadOnlyList<V1EndpointSlice> slices)
    {
        var ordered = new V1EndpointSlice[slices.Count];
        for (var i = 0; i < ordered.Length; i++)
        {
            ordered[i] = slices[i];
        }

        Array.Sort(ordered, static (a, b) => string.CompareOrdinal(a.Metadata?.Name, b.Metadata?.Name));
        return ordered;
    }

    private static int? PortOf(V1EndpointSlice slice, string portName, ProtocolType protocol)
    {
        if (slice.Ports is null)
        {
            return null;
        }

        foreach (var port in slice.Ports)
        {
            if ((port.Name ?? "") == portName && ProtocolText.Parse(port.Protocol) == protocol && port.Port is > 0 and <= ushort.MaxValue)
            {
                return port.Port;
            }
        }

        return null;
    }

    private static ServiceEndpoint? ToEndpoint(V1Endpoint endpoint, int port, AddressFamily family, string nodeName)
    {
        if (endpoint.Addresses is not { Count: > 0 } addresses
            || !IPAddress.TryParse(addresses[0], out var address)
            || address.AddressFamily != family)
        {
            return null;
        }

        var conditions = endpoint.Conditions;
        return new ServiceEndpoint(
            address,
            port,
            endpoint.NodeName,
            endpoint.NodeName is { Length: > 0 } node && node == nodeName,
            Ready: conditions?.Ready ?? true,
            Serving: conditions?.Serving ?? true,
            Terminating: conditions?.Terminating ?? false,
            Names(endpoint.Hints?.ForZones?.Select(z => z.Name)),
            Names(endpoint.Hints?.ForNodes?.Select(n => n.Name)));
    }

    private static string[] Names(IEnumerable<string>? names) => names is null ? [] : [.. names.Where(n => !string.IsNullOrEmpty(n))];

    /// <summary>
    /// Of two slices' views of one address, the more usable one wins (ready, then serving, then local), then the
    /// first slice by name. kube-proxy prefers only the local view and otherwise keeps whichever its map yields
    /// first; a stale not-ready copy in an old slice must not hide a ready endpoint, and the order must not vary.
    /// </summary>
    private static bool Preferred(ServiceEndpoint candidate, ServiceEndpoint existing) =>
        (Rank(candidate), candidate.IsLocal).CompareTo((Rank(existing), existing.IsLocal)) > 0;

    private static int Rank(ServiceEndpoint endpoint) => endpoint.Ready ? 2 : endpoint.Serving ? 1 : 0;

    private static MergedEndpoints OnOnePort(ICollection<ServiceEndpoint> endpoints)
    {
        var counts = new Dictionary<int, (int Ready, int All)>();
        foreach (var endpoint in endpoints)
        {
            counts.TryGetValue(endpoint.Port, out var count);
            counts[endpoint.Port] = (count.Ready + (endpoint.Ready ? 1 : 0), count.All + 1);
        }

        var chosen = 0;
        (int Ready, int All) best = (-1, -1);
        foreach (var (port, count) in counts)
        {
            if (count.CompareTo(best) > 0 || (count == best && port < chosen))
            {
                chosen = port;
                best = count;
            }
        }

        var kept = new List<(UInt128 Order, ServiceEndpoint Endpoint)>(best.All);
        foreach (var endpoint in endpoints)
        {
            if (endpoint.Port == chosen)
            {
                kept.Add((IpAddressMath.ToUInt128(endpoint.Address), endpoint));
            }
        }

        kept.Sort(static (a, b) => a.Order.CompareTo(b.Order));
        var ordered = new ServiceEndpoint[kept.Count];
        for (var i = 0; i < ordered.Length; i++)
        {
            ordered[i] = kept[i].Endpoint;
        }

        PortConflict? conflict = null;
        if (counts.Count > 1)
        {
            var others = new List<int>(counts.Count - 1);
            foreach (var port in counts.Keys)
            {
                if (port != chosen)
                {
                    others.Add(port);
                }
            }

            others.Sort();
            conflict = new PortConflict(chosen, others, endpoints.Count - ordered.Length);
        }

        return new MergedEndpoints(ordered, chosen, conflict);
    }
}
