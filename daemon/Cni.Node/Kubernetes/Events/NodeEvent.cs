namespace Cni.Node.Kubernetes.Events;

/// <summary>An Event to post: what it is about (a Node, or a Pod by namespace and name), why, and the note.</summary>
/// <param name="Kind">Node, Pod or Service.</param>
/// <param name="Namespace">The Pod's or Service's namespace; null for a Node.</param>
/// <param name="Name">The object's name.</param>
/// <param name="Reason">UpperCamelCase reason, e.g. HcnError.</param>
/// <param name="Action">What wincnid was doing, e.g. AddPodNetwork.</param>
/// <param name="Note">The cause and the fix (at most 1 kB is sent).</param>
public sealed record NodeEvent(string Kind, string? Namespace, string Name, string Reason, string Action, string Note)
{
    /// <summary>Warning (the default: a person must act) or Normal.</summary>
    public KubernetesEventType Type { get; init; } = KubernetesEventType.Warning;

    /// <summary>The rate limiter's key: one Event per object and reason per interval.</summary>
    public string Key => $"{Kind}/{Namespace}/{Name}/{Reason}";
}
