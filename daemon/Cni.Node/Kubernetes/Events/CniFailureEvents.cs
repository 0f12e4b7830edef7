using Cni.Hcn.Errors;
using Cni.Node.Ipam;
using Cni.Node.Pods;
using Cni.Spec;

namespace Cni.Node.Kubernetes.Events;

/// <summary>
/// Turns failed CNI commands a person must act on into Events on the Node and, when CNI_ARGS names the pod
/// (K8S_POD_NAMESPACE/K8S_POD_NAME), on the Pod: an HCN error that retrying will not cure (the note is the HRESULT
/// catalogue's cause and fix), an exhausted pod CIDR, an IPAM journal the disk refuses. Bad input (the runtime's
/// fault, answered with a precise error) and transient failures (the runtime retries) post nothing.
/// </summary>
public sealed class CniFailureEvents(KubernetesEventRecorder recorder) : ICniFailureReporter
{
    /// <inheritdoc/>
    public void Report(PluginRequest request, Exception failure, CniError error)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(error);
        var reason = failure switch
        {
            HcnException hcn when !CniErrors.IsTransient(hcn) => "HcnError",
            IpamExhaustedException => "PodCidrExhausted",
            IpamJournalException => "IpamJournalFailed",
            _ => null,
        };
        if (reason is null)
        {
            return;
        }

        var action = request.Command switch
        {
            CniCommand.Add => "AddPodNetwork",
            CniCommand.Del => "DeletePodNetwork",
            CniCommand.Check => "CheckPodNetwork",
            _ => "PodNetwork",
        };
        var pod = request.Args.K8sPodName is { Length: > 0 } name && request.Args.K8sPodNamespace is { Length: > 0 } ns ? (ns, name) : default;
        var subject = pod == default ? $"container {request.ContainerId}" : $"pod {pod.ns}/{pod.name}";
        var note = $"CNI {request.Command.ToWireName()} for {subject} failed: {error.Msg}";
        recorder.Record(new NodeEvent("Node", null, recorder.NodeName, reason, action, note));
        if (pod != default)
        {
            recorder.Record(new NodeEvent("Pod", pod.ns, pod.name, reason, action, note));
        }
    }
}
