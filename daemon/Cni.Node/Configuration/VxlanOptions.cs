namespace Cni.Node.Configuration;

/// <summary>Overlay settings. The defaults are flannel's, so wincni nodes and flannel Linux nodes share one overlay.</summary>
public sealed record VxlanOptions
{
    /// <summary>The smallest VNI HNS accepts for an overlay network (its VSID range starts here).</summary>
    public const int MinimumVni = 4096;

    public int Vni { get; init; } = MinimumVni;

    public int Port { get; init; } = 4789;
}
