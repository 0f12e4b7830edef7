using Cni.StandInApiServer.Storage;
using k8s.Models;

namespace Cni.LocalCluster;

/// <summary>
/// The kubelet's side of a pod's Pod object in the stand-in API server: created (scheduled to its node, Pending) with
/// the pod's namespace, reported Running and Ready with its IP once CNI ADD gave it one, readiness changes,
/// graceful deletion, and removal. Ready transitions carry their time, which a real kubelet reports too.
/// </summary>
internal sealed class PodObjects(ObjectStore store, TimeProvider time)
{
    /// <summary>The namespace every pod of the local cluster lives in.</summary>
    public const string Namespace = "default";

    private const string ContainerName = "main";

    /// <summary>Creates the Pod (Pending, on its node): what exists before the runtime makes the sandbox.</summary>
    public void Register(ClusterPod pod, ClusterPodOptions options) =>
        store.Create(new V1Pod
        {
            ApiVersion = "v1",
            Kind = "Pod",
            Metadata = new V1ObjectMeta
            {
                Name = pod.Name,
                NamespaceProperty = Namespace,
                Labels = options.Labels.ToDictionary(l => l.Key, l => l.Value),
            },
            Spec = new V1PodSpec
            {
                NodeName = pod.Node.NodeName,
                Containers = [new V1Container { Name = ContainerName, Image = "busybox:stable", Ports = [.. options.Ports] }],
            },
        });

    /// <summary>Reports the pod Running and Ready at <paramref name="address"/> (after CNI ADD). Nothing when its Pod
    /// is gone (deleted by a test, or its grace period ended).</summary>
    public void ReportRunning(ClusterPod pod, string address)
    {
        if (store.Get<V1Pod>(pod.Name, Namespace) is not { } current) return;
        var now = time.GetUtcNow().UtcDateTime;
        current.Status.Phase = "Running";
        current.Status.HostIP = pod.Node.Address;
        current.Status.HostIPs = [new V1HostIP { Ip = pod.Node.Address }];
        current.Status.PodIP = address;
        current.Status.PodIPs = [new V1PodIP { Ip = address }];
        current.Status.StartTime ??= now;
        current.Status.Conditions =
        [
            new V1PodCondition { Type = "PodScheduled", Status = "True", LastTransitionTime = now },
            new V1PodCondition { Type = "Initialized", Status = "True", LastTransitionTime = now },
        ];
        SetReady(current, ready: true, now);
        store.Update(current, status: true);
    }

    /// <summary>Sets the Ready condition (and the container's readiness), as a readiness probe's result would.</summary>
    /// <exception cref="InvalidOperationException">The Pod does not exist.</exception>
    public void SetReady(ClusterPod pod, bool ready)
    {
        var current = store.Get<V1Pod>(pod.Name, Namespace) ?? throw new InvalidOperationException($"pod {pod.Name} has no Pod object");
        SetReady(current, ready, time.GetUtcNow().UtcDateTime);
        store.Update(current, status: true);
    }

    /// <summary>Deletes the Pod with a grace period: it turns terminating (deletionTimestamp) and goes when the
    /// period ends.</summary>
    public void BeginTermination(ClusterPod pod, TimeSpan gracePeriod) => store.Delete<V1Pod>(pod.Name, Namespace, gracePeriod);

    /// <summary>Deletes the Pod now; fine when it is already gone.</summary>
    public void Remove(ClusterPod pod)
    {
        try
        {
            store.Delete<V1Pod>(pod.Name, Namespace);
        }
        catch (ApiException e) when (e.Code == 404)
        {
            // Gone already: its grace period ended, or a test deleted it.
        }
    }

    private static void SetReady(V1Pod pod, bool ready, DateTime now)
    {
        var status = ready ? "True" : "False";
        var conditions = pod.Status.Conditions ?? [];
        foreach (var type in new[] { "ContainersReady", "Ready" })
        {
            var existing = conditions.FirstOrDefault(c => c.Type == type);
            if (existing is null) conditions.Add(new V1PodCondition { Type = type, Status = status, LastTransitionTime = now });
            else if (existing.Status != status) (existing.Status, existing.LastTransitionTime) = (status, now);
        }

        pod.Status.Conditions = conditions;
        pod.Status.ContainerStatuses =
        [
            new V1ContainerStatus
            {
                Name = ContainerName, Image = "busybox:stable", ImageID = "", Ready = ready, Started = true, RestartCount = 0,
                State = new V1ContainerState { Running = new V1ContainerStateRunning { StartedAt = pod.Status.StartTime } },
            },
        ];
    }
}
