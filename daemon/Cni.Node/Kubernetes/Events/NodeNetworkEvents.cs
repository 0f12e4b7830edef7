using System.Globalization;
using Cni.Node.Networks;

namespace Cni.Node.Kubernetes.Events;

/// <summary>
/// Node network problems as Events on the Node (action EnsureNodeNetwork): a Warning per problem with an UpperCamelCase
/// reason and the not-ready reason (what, and what to do) as the note; after a Warning, one Normal NodeNetworkReady
/// when the node network is ready again, so <c>kubectl describe node</c> shows the recovery.
/// </summary>
public sealed class NodeNetworkEvents(KubernetesEventRecorder recorder) : INodeNetworkProblemReporter
{
    /// <summary>What every Event of this reporter says wincnid was doing.</summary>
    public const string Action = "EnsureNodeNetwork";

    /// <summary>The Normal Event's reason.</summary>
    public const string ReadyReason = "NodeNetworkReady";

    /// <summary>The Event reason for <paramref name="problem"/>.</summary>
    public static string ReasonOf(NodeNetworkProblem problem) => problem switch
    {
        NodeNetworkProblem.NodeFactsUnavailable => "NodeFactsUnavailable",
        NodeNetworkProblem.PodCidrMissing => "PodCidrMissing",
        NodeNetworkProblem.PodCidrChanged => "PodCidrChanged",
        NodeNetworkProblem.ConfigInvalid => "NodeConfigInvalid",
        NodeNetworkProblem.AdapterMissing => "AdapterMissing",
        NodeNetworkProblem.HnsFeatureMissing => "HnsFeatureMissing",
        NodeNetworkProblem.NetworkConflict => "NodeNetworkConflict",
        NodeNetworkProblem.NetworkMissing => "NodeNetworkMissing",
        NodeNetworkProblem.HnsUnavailable => "HnsUnavailable",
        NodeNetworkProblem.HcnError => "NodeNetworkHcnError",
        NodeNetworkProblem.HostInterfaceMissing => "HostInterfaceMissing",
        NodeNetworkProblem.HostSetupFailed => "HostSetupFailed",

        // The same reason as a failed ADD's: one disk fault, one rate limit.
        NodeNetworkProblem.IpamJournalFailed => "IpamJournalFailed",
        _ => "NodeNetworkNotReady",
    };

    /// <inheritdoc/>
    public void ReportProblem(NodeNetworkProblem problem, string note) =>
        recorder.Record(new NodeEvent("Node", null, recorder.NodeName, ReasonOf(problem), Action, "node network not ready: " + note));

    /// <inheritdoc/>
    public void ReportRecovered(NodeNetworkProblem lastProblem, TimeSpan notReadyFor) =>
        recorder.Record(new NodeEvent(
            "Node",
            null,
            recorder.NodeName,
            ReadyReason,
            Action,
            string.Create(CultureInfo.InvariantCulture, $"node network ready again after {notReadyFor.TotalSeconds:0} s not ready (last: {ReasonOf(lastProblem)})"))
        {
            Type = KubernetesEventType.Normal,
        });
}
