namespace Cni.LocalCluster;

/// <summary>How a <see cref="LocalCluster"/> is built.</summary>
public sealed record LocalClusterOptions
{
    /// <summary>The node network mode every node runs: <c>overlay</c> (VXLAN) or <c>l2bridge</c> (routes via node IPs).</summary>
    public string Mode { get; init; } = "overlay";

    /// <summary>Where progress lines go (null: nowhere).</summary>
    public TextWriter? Progress { get; init; }
}
