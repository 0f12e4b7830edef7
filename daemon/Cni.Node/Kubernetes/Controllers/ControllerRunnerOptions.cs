namespace Cni.Node.Kubernetes.Controllers;

/// <summary>How a <see cref="ControllerRunner{TKey}"/> runs.</summary>
public sealed record ControllerRunnerOptions
{
    /// <summary>A name for logs.</summary>
    public string Name { get; init; } = "controller";

    /// <summary>Workers reconciling in parallel (different keys only).</summary>
    public int Workers { get; init; } = 1;

    /// <summary>How often every key is enqueued again (repairs drift nobody told us about); zero or less: never.</summary>
    public TimeSpan ResyncPeriod { get; init; } = TimeSpan.FromMinutes(5);
}
