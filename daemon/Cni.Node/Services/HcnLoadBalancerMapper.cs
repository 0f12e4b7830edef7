using Cni.Hcn.Model;

namespace Cni.Node.Services;

/// <summary>
/// A desired load balancer as the HCN object the engine creates or modifies, and whether an HCN object found on
/// the host already is that (so a restart with nothing changed makes no write).
/// </summary>
public static class HcnLoadBalancerMapper
{
    /// <summary>The HCN load balancer for <paramref name="desired"/>, under the ID of its key.</summary>
    /// <param name="desired">A forwarding load balancer (HCN cannot hold one without backends, kubernetes/kubernetes#106936).</param>
    /// <param name="backendEndpointIds">The HCN endpoint of each backend, local or remote; stored sorted, so equal sets give equal objects.</param>
    /// <param name="networkId">The node network.</param>
    /// <exception cref="ArgumentException">The load balancer rejects or drops, or no endpoint ID is given.</exception>
    public static HostComputeLoadBalancer ToHcn(DesiredLoadBalancer desired, IReadOnlyCollection<Guid> backendEndpointIds, Guid networkId)
    {
        ArgumentNullException.ThrowIfNull(desired);
        ArgumentNullException.ThrowIfNull(backendEndpointIds);
        if (desired.Verdict != LoadBalancerVerdict.Forward || backendEndpointIds.Count == 0)
        {
            throw new ArgumentException($"{desired.Key}: an HCN load balancer needs backends; a {desired.Verdict} frontend is the dataplane's reject or drop, not a load balancer", nameof(desired));
        }

        Guid[] endpoints = [.. backendEndpointIds];
        Array.Sort(endpoints);
        return Build(desired, endpoints, desired.InternalPort, networkId);
    }

    /// <summary>
    /// The HCN load balancer for a rejecting or dropping frontend, for a dataplane that takes one without backends
    /// (KernelHcn renders it as an nftables reject; HNS refuses it, kubernetes/kubernetes#106936).
    /// </summary>
    /// <param name="desired">A frontend whose verdict is Reject or Drop.</param>
    /// <param name="networkId">The node network.</param>
    /// <exception cref="ArgumentException">The frontend forwards.</exception>
    public static HostComputeLoadBalancer ToHcnWithoutBackends(DesiredLoadBalancer desired, Guid networkId)
    {
        ArgumentNullException.ThrowIfNull(desired);
        if (desired.Verdict == LoadBalancerVerdict.Forward)
        {
            throw new ArgumentException($"{desired.Key}: a forwarding frontend needs its backends", nameof(desired));
        }

        // No endpoint resolved a targetPort, and HCN wants a non-zero one; nothing is forwarded, so the frontend port stands in.
        var internalPort = desired.InternalPort == 0 ? desired.ExternalPort : desired.InternalPort;
        return Build(desired, [], internalPort, networkId) with { DropWithoutBackends = desired.Verdict == LoadBalancerVerdict.Drop };
    }

    private static HostComputeLoadBalancer Build(DesiredLoadBalancer desired, Guid[] endpoints, ushort internalPort, Guid networkId) =>
        new()
        {
            Id = desired.Key.Id,
            HostComputeEndpoints = endpoints,
            SourceVip = desired.SourceVip?.ToString(),
            FrontendVips = desired.Vip is { } vip ? [vip.ToString()] : [],
            PortMappings =
            [
                new LoadBalancerPortMapping
                {
                    Protocol = desired.Protocol,
                    InternalPort = internalPort,
                    ExternalPort = desired.ExternalPort,
                    DistributionType = desired.Distribution,
                    Flags = desired.PortMappingFlags,
                },
            ],
            HostComputeNetwork = networkId,
            Flags = desired.Flags,
        };

    /// <summary>
    /// Whether <paramref name="actual"/> (read from HCN) already is <paramref name="desired"/> (from <see cref="ToHcn"/>):
    /// same ID, flags, drop-or-reject, source VIP, frontends, port mapping and backend set (in any order); the network only when HCN reports one.
    /// </summary>
    public static bool IsCurrent(HostComputeLoadBalancer actual, HostComputeLoadBalancer desired)
    {
        ArgumentNullException.ThrowIfNull(actual);
        ArgumentNullException.ThrowIfNull(desired);
        return actual.Id == desired.Id
            && actual.Flags == desired.Flags
            && actual.DropWithoutBackends == desired.DropWithoutBackends
            && (actual.SourceVip ?? "") == (desired.SourceVip ?? "")
            && (actual.HostComputeNetwork == Guid.Empty || actual.HostComputeNetwork == desired.HostComputeNetwork)
            && SameItems(actual.FrontendVips, desired.FrontendVips, StringComparer.OrdinalIgnoreCase)
            && SameItems(actual.PortMappings, desired.PortMappings, EqualityComparer<LoadBalancerPortMapping>.Default)
            && SameItems(actual.HostComputeEndpoints, desired.HostComputeEndpoints, EqualityComparer<Guid>.Default);
    }

    private static bool SameItems<T>(IReadOnlyList<T>? a, IReadOnlyList<T>? b, IEqualityComparer<T> comparer)
        where T : notnull
    {
        a ??= [];
        b ??= [];
        if (a.Count != b.Count)
        {
            return false;
        }

        var counts = new Dictionary<T, int>(comparer);
        foreach (var item in a)
        {
            counts[item] = counts.GetValueOrDefault(item) + 1;
        }

        foreach (var item in b)
        {
            if (!counts.TryGetValue(item, out var count) || count == 0)
            {
                return false;
            }

            counts[item] = count - 1;
        }

        return true;
    }
}
