namespace Cni.Benchmarks;

/// <summary>p50/p95 of a sample, nearest-rank.</summary>
internal sealed record Percentiles(int Count, double P50Ms, double P95Ms, double MinMs)
{
    public static Percentiles Of(IReadOnlyCollection<TimeSpan> samples)
    {
        var sorted = samples.Select(s => s.TotalMilliseconds).Order().ToArray();
        double At(double p) => sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
        return new Percentiles(sorted.Length, At(0.50), At(0.95), sorted[0]);
    }
}
