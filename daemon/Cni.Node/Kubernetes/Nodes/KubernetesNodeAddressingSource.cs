using System.Net;
using Cni.Node.Configuration;
using Cni.Node.Kubernetes.Cache;
using Cni.Node.Kubernetes.Flannel;
using Cni.Node.Networks;
using k8s.Models;

namespace Cni.Node.Kubernetes.Nodes;

/// <summary>
/// This node's facts from its Node object in the cache.
/// <list type="bullet">
/// <item>Pod CIDRs: <c>spec.podCIDRs</c> (else <c>spec.podCIDR</c>). The node config's <c>podCIDRs</c> are used only when
/// the Node has none (clusters without node CIDR allocation); when the Node has some, they win and the config value is
/// ignored, because the controller manager's allocation is what the peers route to.</item>
/// <item>Address: the config's <c>nodeIP</c>, else the <c>node-public-ip</c> annotation, else the first IPv4 InternalIP.</item>
/// </list>
/// While the facts are not known <see cref="GetAsync"/> returns null and <see cref="NotReadyReason"/> says what is awaited.
/// </summary>
public sealed class KubernetesNodeAddressingSource : INodeAddressingSource
{
    private readonly ResourceCache<V1Node> _cache;
    private readonly string _nodeName;
    private readonly NodeOptions _options;
    private readonly FlannelAnnotations _annotations;
    private volatile Wait? _waiting = new(NodeNetworkProblem.NodeFactsUnavailable, "waiting for the first list of Nodes from the API server");

    /// <summary>Creates the source.</summary>
    /// <param name="cache">The Node cache (its <see cref="ResourceCache{T}.RunAsync"/> runs elsewhere).</param>
    /// <param name="nodeName">This node's name.</param>
    /// <param name="options">The node config (fallback pod CIDRs, nodeIP).</param>
    /// <param name="annotations">The annotation codec (for node-public-ip); null for flannel's default prefix.</param>
    public KubernetesNodeAddressingSource(ResourceCache<V1Node> cache, string nodeName, NodeOptions options, FlannelAnnotations? annotations = null)
    {
        ArgumentNullException.ThrowIfNull(cache);
        ArgumentException.ThrowIfNullOrEmpty(nodeName);
        ArgumentNullException.ThrowIfNull(options);
        _cache = cache;
        _nodeName = nodeName;
        _options = options;
        _annotations = annotations ?? new FlannelAnnotations();
    }

    /// <summary>Why the last <see cref="GetAsync"/> returned null, or null when it returned facts.</summary>
    public string? NotReadyReason => _waiting?.Reason;

    /// <inheritdoc/>
    public (NodeNetworkProblem Problem, string Reason)? Waiting => _waiting is { } wait ? (wait.Problem, wait.Reason) : null;

    /// <inheritdoc/>
    public ValueTask<NodeAddressing?> GetAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var info = Resolve(out var reason);
        _waiting = reason;
        return ValueTask.FromResult(info);
    }

    private NodeAddressing? Resolve(out Wait? reason)
    {
        if (!_cache.HasSynced)
        {
            // The cause (401, connection refused) belongs here, not only in the log: /readyz and status show this.
            reason = new(NodeNetworkProblem.NodeFactsUnavailable, _cache.LastError is { } error
                ? "waiting for the first list of Nodes from the API server; the last attempt failed: " + error
                : "waiting for the first list of Nodes from the API server");
            return null;
        }

        if (!_cache.TryGet(null, _nodeName, out var node))
        {
            reason = new(NodeNetworkProblem.NodeFactsUnavailable, $"waiting for Node '{_nodeName}' to exist (is the node name right? it must match the kubelet's)");
            return null;
        }

        var cidrs = PodCidrs(node, out var cidrReason);
        if (cidrs is null)
        {
            reason = new(NodeNetworkProblem.PodCidrMissing, cidrReason!);
            return null;
        }

        var nodeIp = _annotations.SelectNodeIp(node, _options.NodeIp, out var ipError);
        if (nodeIp is null && node.Metadata?.Annotations?.ContainsKey(_annotations.NodePublicIp) == true)
        {
            // An admin asked for an address we cannot use: better not ready than the wrong underlay address.
            reason = new(NodeNetworkProblem.NodeFactsUnavailable, ipError ?? $"Node '{_nodeName}': annotation {_annotations.NodePublicIp} is not usable");
            return null;
        }

        // No address at all is not fatal: NodeAddressing.NodeIp null means "detect it" downstream.
        reason = null;
        return new NodeAddressing(cidrs, nodeIp) { OtherFamilyIps = OtherFamilyInternalIps(node, nodeIp) };
    }

    /// <summary>The Node's InternalIPs of families other than <paramref name="nodeIp"/>'s, the first of each (status order).</summary>
    private static List<IPAddress> OtherFamilyInternalIps(V1Node node, IPAddress? nodeIp) =>
        [.. (node.Status?.Addresses ?? [])
            .Where(a => a.Type == "InternalIP")
            .Select(a => IPAddress.TryParse(a.Address, out var ip) ? ip : null).OfType<IPAddress>()
            .Where(ip => nodeIp is null ? ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 : ip.AddressFamily != nodeIp.AddressFamily)
            .DistinctBy(ip => ip.AddressFamily)];

    private List<IPNetwork>? PodCidrs(V1Node node, out string? reason)
    {
        var texts = node.Spec?.PodCIDRs is { Count: > 0 } many
            ? many.Select((t, i) => (Text: t, Field: $"spec.podCIDRs[{i}]")).ToList()
            : string.IsNullOrEmpty(node.Spec?.PodCIDR) ? [] : [(Text: node.Spec!.PodCIDR, Field: "spec.podCIDR")];
        if (texts.Count == 0)
        {
            if (_options.PodCidrs.Count > 0)
            {
                reason = null;
                return [.. _options.PodCidrs];
            }

            reason = $"waiting for Node '{_nodeName}' to get spec.podCIDRs from the controller manager (or set podCIDRs in the node config)";
            return null;
        }

        var cidrs = new List<IPNetwork>(texts.Count);
        foreach (var (text, field) in texts)
        {
            if (!IPNetwork.TryParse(text, out var network))
            {
                reason = $"Node '{_nodeName}': {field} '{text}' is not a CIDR";
                return null;
            }

            cidrs.Add(network);
        }

        reason = null;
        return cidrs;
    }

    private sealed record Wait(NodeNetworkProblem Problem, string Reason);
}
