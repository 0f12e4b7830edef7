namespace Cni.Node.Kubernetes;

/// <summary>
/// Exponential backoff with jitter: attempt n (1-based) waits a random time in [½, 1] × min(cap, initial × 2^(n−1)).
/// The jitter keeps many nodes that lost the API server at once from coming back in lockstep.
/// </summary>
/// <param name="Initial">The first delay (before jitter).</param>
/// <param name="Cap">The largest delay.</param>
public sealed record ExponentialBackoff(TimeSpan Initial, TimeSpan Cap)
{
    /// <summary>The API backoff: 0.5 s doubling to 30 s.</summary>
    public static ExponentialBackoff Default { get; } = new(TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(30));

    /// <summary>The delay before the given attempt, without jitter.</summary>
    /// <param name="attempt">The 1-based number of consecutive failures.</param>
    /// <returns>The delay.</returns>
    public TimeSpan Ceiling(int attempt)
    {
        var exponent = Math.Clamp(attempt - 1, 0, 30);
        var ticks = Initial.Ticks * Math.Pow(2, exponent);
        return ticks >= Cap.Ticks ? Cap : TimeSpan.FromTicks((long)ticks);
    }

    /// <summary>The delay before the given attempt, with jitter.</summary>
    /// <param name="attempt">The 1-based number of consecutive failures.</param>
    public TimeSpan Delay(int attempt)
    {
        var ceiling = Ceiling(attempt);
#pragma warning disable CA5394 // Jitter, not security.
        return TimeSpan.FromTicks((long)(ceiling.Ticks * (0.5 + (Random.Shared.NextDouble() * 0.5))));
#pragma warning restore CA5394
    }
}
