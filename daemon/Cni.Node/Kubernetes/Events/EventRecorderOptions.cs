namespace Cni.Node.Kubernetes.Events;

/// <summary>How often Events may be posted.</summary>
public sealed record EventRecorderOptions
{
    /// <summary>At most one Event per object and reason in this interval; repeats meanwhile are counted into the next
    /// one's note (a pod failing every second must not flood the API server). Default 5 minutes.</summary>
    public TimeSpan MinInterval { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Events waiting to be posted; beyond it new ones are dropped (the API server is slow or away).</summary>
    public int QueueCapacity { get; init; } = 64;
}
