namespace Cni.Daemon.Status;

/// <summary>The cluster connection's view, for <c>wincnid status</c>.</summary>
/// <param name="NodeName">This node's Node name.</param>
/// <param name="NodesSynced">Whether the Node cache has finished its first list.</param>
/// <param name="LastContact">When the Node cache last heard from the API server.</param>
/// <param name="Nodes">Nodes in the cache.</param>
/// <param name="NodeNotReadyReason">What the node still waits for from its Node, or null.</param>
/// <param name="Annotations">The last publication of this node's annotations: when, whether it patched, or the error.</param>
/// <param name="Peers">Peer routes: desired (= programmed after a good pass), skipped nodes with reasons.</param>
public sealed record KubernetesStatus(
    string NodeName,
    string ApiServer,
    bool NodesSynced,
    DateTimeOffset? LastContact,
    int Nodes,
    string? NodeNotReadyReason,
    string? Annotations,
    PeersStatus? Peers)
{
    /// <summary>
    /// Why the last list or watch of Nodes failed (an HTTP status with the server's message, connection refused), or
    /// null once the API server answers: the cause while wincnid waits for it.
    /// </summary>
    public string? ApiError { get; init; }
}

/// <summary>The peer controller's last pass.</summary>
/// <param name="NotReadyReason">Why the pass could not run, or null.</param>
/// <param name="Routes">"node: destination via address [VTEP MAC]" per route.</param>
/// <param name="Skipped">"node: reason" per skipped Node.</param>
public sealed record PeersStatus(string? NotReadyReason, IReadOnlyList<string> Routes, IReadOnlyList<string> Skipped);
