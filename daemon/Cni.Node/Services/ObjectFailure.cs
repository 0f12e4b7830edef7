namespace Cni.Node.Services;

/// <summary>One HCN object a pass could not bring in line.</summary>
/// <param name="Key">The load-balancer key, or <c>remote-endpoint/&lt;ip&gt;</c>.</param>
/// <param name="Message">The error (for HCN: operation, object, cause and fix).</param>
/// <param name="RetryAt">When it is tried again.</param>
public sealed record ObjectFailure(string Key, string Message, DateTimeOffset RetryAt)
{
    /// <summary>How many times in a row the object has failed, this pass's attempt included; 0 when it was not tried
    /// this pass (it is waiting out its backoff).</summary>
    public int Attempts { get; init; }

    /// <summary>Whether this pass's attempt failed with an HCN error retrying will not cure (any HRESULT but HNS
    /// stopping, busy or timing out): a person must act on it.</summary>
    public bool IsHcnRefusal { get; init; }

    /// <summary>For an HCN refusal, the Services (<c>namespace/name</c>, ordered) this pass wanted the object for;
    /// empty otherwise, and when none (an orphan, a ClusterIP endpoint).</summary>
    public IReadOnlyList<string> Services { get; init; } = [];

    /// <summary>
    /// Worth telling a person (a Kubernetes Event): an HCN refusal that came back after its backoff, so neither a race
    /// with another writer nor HNS being busy, which the next attempt cures.
    /// </summary>
    public bool NeedsAction => IsHcnRefusal && Attempts >= 2;
}
