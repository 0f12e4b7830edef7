using Cni.Node.Peers;

namespace Cni.Node.Kubernetes.Events;

/// <summary>
/// A peer Node this node cannot route to because of what it publishes (a malformed flannel annotation, another backend
/// or VNI, an overlapping pod CIDR) as a Warning Event on that peer Node (reason PeerNodeUnusable, action RoutePeerNode),
/// the note naming the field. A peer that has not published yet posts nothing.
/// </summary>
public sealed class PeerNodeEvents(KubernetesEventRecorder recorder) : IPeerProblemReporter
{
    /// <summary>The Event reason.</summary>
    public const string Reason = "PeerNodeUnusable";

    /// <summary>What wincnid was doing.</summary>
    public const string Action = "RoutePeerNode";

    /// <inheritdoc/>
    public void Report(SkippedPeer peer)
    {
        ArgumentNullException.ThrowIfNull(peer);
        if (peer.IsIncomplete || string.IsNullOrEmpty(peer.NodeName))
        {
            return;
        }

        recorder.Record(new NodeEvent("Node", null, peer.NodeName, Reason, Action, $"Node '{recorder.NodeName}' gets no route to this node's pods: {peer.Reason}"));
    }
}
