namespace Cni.Node.Kubernetes.Events;

/// <summary>An Event's type, as Kubernetes knows two (events.k8s.io/v1 <c>type</c>).</summary>
public enum KubernetesEventType
{
    /// <summary>Something a person must act on.</summary>
    Warning,

    /// <summary>Something that went as it should (e.g. recovery after a Warning).</summary>
    Normal,
}
