namespace Cni.Node.Kubernetes.Nodes;

/// <summary>How <see cref="NodeAnnotationPublisher"/> writes.</summary>
public sealed record NodeAnnotationPublisherOptions
{
    /// <summary>Also set the Node condition NetworkUnavailable=False (as flannel does), so the scheduler's taint goes.</summary>
    public bool SetNetworkUnavailableCondition { get; init; } = true;

    /// <summary>The condition's reason (flannel writes <c>FlannelIsUp</c>).</summary>
    public string ConditionReason { get; init; } = "WincniIsUp";

    /// <summary>Attempts before giving up (each failure waits per <see cref="Backoff"/>; the defaults span about 30 s, like flannel).</summary>
    public int MaxAttempts { get; init; } = 7;

    /// <summary>Delay between attempts.</summary>
    public ExponentialBackoff Backoff { get; init; } = new(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10));
}
