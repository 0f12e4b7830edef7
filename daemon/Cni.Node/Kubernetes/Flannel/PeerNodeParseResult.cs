using System.Diagnostics.CodeAnalysis;

namespace Cni.Node.Kubernetes.Flannel;

/// <summary>The outcome of parsing a peer Node: the peer, or which field is wrong and how.</summary>
public sealed record PeerNodeParseResult
{
    private PeerNodeParseResult(PeerNode? peer, string? field, string? error)
    {
        Peer = peer;
        Field = field;
        Error = error;
    }

    /// <summary>The peer, when the Node is complete and valid.</summary>
    public PeerNode? Peer { get; }

    /// <summary>The offending annotation (full key) or field path (e.g. <c>spec.podCIDRs[1]</c>), on failure.</summary>
    public string? Field { get; }

    /// <summary>What is wrong, naming the Node, the field and the value, on failure.</summary>
    public string? Error { get; }

    /// <summary>True when the field is merely absent (the peer has not published yet), not malformed.</summary>
    public bool IsIncomplete { get; private init; }

    /// <summary>Whether <see cref="Peer"/> is set.</summary>
    [MemberNotNullWhen(true, nameof(Peer))]
    [MemberNotNullWhen(false, nameof(Field), nameof(Error))]
    public bool IsSuccess => Peer is not null;

    /// <summary>A successful parse.</summary>
    public static PeerNodeParseResult Success(PeerNode peer) => new(peer ?? throw new ArgumentNullException(nameof(peer)), null, null);

    /// <summary>A malformed field.</summary>
    /// <param name="field">The annotation key or field path.</param>
    /// <param name="error">What is wrong.</param>
    public static PeerNodeParseResult Malformed(string field, string error) => new(null, field, error);

    /// <summary>A missing field (not published yet).</summary>
    /// <param name="field">The annotation key or field path.</param>
    /// <param name="error">What is missing.</param>
    public static PeerNodeParseResult Missing(string field, string error) => new(null, field, error) { IsIncomplete = true };

    /// <inheritdoc/>
    public override string ToString() => IsSuccess ? $"peer {Peer.Name}" : Error!;
}
