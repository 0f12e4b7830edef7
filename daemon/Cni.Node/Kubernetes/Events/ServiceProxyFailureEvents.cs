using System.Globalization;
using Cni.Node.Services;

namespace Cni.Node.Kubernetes.Events;

/// <summary>
/// Service proxy failures a person must act on as Warning Events (action ProgramService): on each Service the failed
/// object was for (kube-proxy posts none, but an HRESULT that comes back after every retry leaves the Service without
/// its load balancer on this node) and one on the Node naming them. The note is the HCN error (operation, HRESULT,
/// likely cause and fix).
/// </summary>
public sealed class ServiceProxyFailureEvents(KubernetesEventRecorder recorder) : IServiceProxyFailureReporter
{
    /// <summary>What every Event of this reporter says wincnid was doing.</summary>
    public const string Action = "ProgramService";

    /// <summary>Services named per failure: a remote endpoint shared by thousands of Services must not flood the queue.</summary>
    public const int MaxServicesPerFailure = 8;

    /// <summary>The Event reason for a failure of the object with <paramref name="key"/>.</summary>
    public static string ReasonOf(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return key.StartsWith(LoadBalancerReconciler.RemoteKeyPrefix, StringComparison.Ordinal) ? "RemoteEndpointFailed"
            : key.StartsWith(LoadBalancerReconciler.VipKeyPrefix, StringComparison.Ordinal) ? "ClusterIpEndpointFailed"
            : "LoadBalancerFailed";
    }

    /// <inheritdoc/>
    public void Report(ObjectFailure failure)
    {
        ArgumentNullException.ThrowIfNull(failure);
        var reason = ReasonOf(failure.Key);
        var note = string.Create(CultureInfo.InvariantCulture, $"{failure.Message} (failed {failure.Attempts} times in a row; retried after {failure.RetryAt:u})");
        foreach (var service in failure.Services.Take(MaxServicesPerFailure))
        {
            var slash = service.IndexOf('/', StringComparison.Ordinal);
            if (slash > 0 && slash < service.Length - 1)
            {
                recorder.Record(new NodeEvent("Service", service[..slash], service[(slash + 1)..], reason, Action, note));
            }
        }

        var services = failure.Services.Count == 0 ? string.Empty
            : failure.Services.Count <= MaxServicesPerFailure ? $"Services {string.Join(", ", failure.Services)}: "
            : string.Create(CultureInfo.InvariantCulture, $"Services {string.Join(", ", failure.Services.Take(MaxServicesPerFailure))} and {failure.Services.Count - MaxServicesPerFailure} more: ");
        recorder.Record(new NodeEvent("Node", null, recorder.NodeName, reason, Action, services + note));
    }
}
