namespace Cni.Node.Peers;

/// <summary>Told about peer Nodes whose published facts are unusable, which a person must fix (Kubernetes Events on the peer).</summary>
public interface IPeerProblemReporter
{
    /// <summary>Called after each peer pass for every skipped peer that is not merely incomplete; the reporter limits
    /// how often it tells anyone. Must not block or throw.</summary>
    void Report(SkippedPeer peer);
}
