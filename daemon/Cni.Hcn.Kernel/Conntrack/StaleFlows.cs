using System.Net;
using Cni.Hcn.Kernel.Nftables;

namespace Cni.Hcn.Kernel.Conntrack;

/// <summary>
/// Which conntrack entries a load-balancer change leaves stale, as kube-proxy decides it (kubernetes
/// pkg/proxy/conntrack/cleanup.go): for UDP and SCTP only — a connectionless flow keeps its DNAT entry as long as
/// packets keep coming, so without a flush it stays on a removed backend (or on the reject of a frontend that had
/// none) for ever; TCP ends with a reset or a new connection.
/// <list type="bullet">
/// <item><description>A backend removed from a frontend (the load balancer modified, deleted, or its endpoint gone):
/// entries to the frontend whose reply source is that backend's address and internal port.</description></item>
/// <item><description>A frontend that gains its first backend (also a new load balancer): every entry to the
/// frontend.</description></item>
/// </list>
/// </summary>
internal static class StaleFlows
{
    /// <summary>The filters for a load balancer that went from <paramref name="before"/> to <paramref name="after"/> (null: none rendered).</summary>
    public static List<ConntrackFilter> Between(LoadBalancerRendering? before, LoadBalancerRendering? after)
    {
        var result = new List<ConntrackFilter>();
        if (before is not { Frontends.Count: > 0 } && after is not { Frontends.Count: > 0 })
        {
            return result; // TCP only: nothing to clean up
        }

        var old = Index(before);
        var now = Index(after);
        foreach (var (key, backends) in old)
        {
            var kept = now.TryGetValue(key, out var current) ? current : [];
            var removed = backends.Where(b => !kept.Contains(b)).ToHashSet();
            if (removed.Count > 0)
            {
                result.Add(new ConntrackFilter(key.Protocol, key.Vip, key.Port, removed));
            }
        }

        foreach (var (key, backends) in now)
        {
            var had = old.TryGetValue(key, out var previous) && previous.Count > 0;
            if (!had && backends.Count > 0)
            {
                result.Add(new ConntrackFilter(key.Protocol, key.Vip, key.Port, ReplySources: null));
            }
        }

        return result;
    }

    /// <summary>Whether flows of <paramref name="protocol"/> need their conntrack entries deleted when a backend goes.</summary>
    public static bool Applies(byte protocol) => protocol is Ctnetlink.IpprotoUdp or Ctnetlink.IpprotoSctp;

    private static Dictionary<(byte Protocol, IPAddress? Vip, ushort Port), HashSet<IPEndPoint>> Index(LoadBalancerRendering? rendering)
    {
        var result = new Dictionary<(byte, IPAddress?, ushort), HashSet<IPEndPoint>>();
        foreach (var frontend in rendering?.Frontends ?? [])
        {
            if (!Applies(frontend.Protocol))
            {
                continue;
            }

            // The renderer keeps the first mapping of a frontend; so does this (a later one is shadowed in nftables).
            result.TryAdd((frontend.Protocol, frontend.Vip, frontend.Port), [.. frontend.Backends]);
        }

        return result;
    }
}
