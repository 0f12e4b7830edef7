using System.Net;

namespace Cni.Node.Services;

/// <summary>
/// One backend of one ServicePort and IP family, merged from the Service's EndpointSlices, with its conditions
/// defaulted as kube-proxy does (kubernetes pkg/proxy/endpointslicecache.go: ready and serving default to true,
/// terminating to false).
/// </summary>
/// <param name="Address">The endpoint's first address (the API says consumers use only the first).</param>
/// <param name="Port">The slice's port number for this ServicePort (a named targetPort resolved for this endpoint).</param>
/// <param name="NodeName">The node hosting it, or null when the slice does not say.</param>
/// <param name="IsLocal">Whether <paramref name="NodeName"/> is this node.</param>
/// <param name="Ready">Ready to receive new connections.</param>
/// <param name="Serving">Serving, ready or not (KEP-1669).</param>
/// <param name="Terminating">Being deleted.</param>
/// <param name="ZoneHints">Zones this endpoint should serve (topology hints); empty when none.</param>
/// <param name="NodeHints">Nodes this endpoint should serve (PreferSameNode hints); empty when none.</param>
public sealed record ServiceEndpoint(
    IPAddress Address,
    int Port,
    string? NodeName,
    bool IsLocal,
    bool Ready,
    bool Serving,
    bool Terminating,
    IReadOnlyList<string> ZoneHints,
    IReadOnlyList<string> NodeHints)
{
    /// <summary>Serving while terminating: the KEP-1669 fallback when nothing is ready.</summary>
    public bool IsServingTerminating => Serving && Terminating;
}
