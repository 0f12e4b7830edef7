namespace Cni.Node.Configuration;

/// <summary>Overlay settings. The defaults are flannel's, so wincni nodes and flannel Linux nodes share one overlay.</summary>
public sealed record VxlanOptions
{
    /// <summary>The smallest VNI HNS accepts for an overlay network (its VSID range starts here).</summary>
    public const int MinimumVni = 4096;

    /// <summary>
    /// The largest VNI a Windows node can use: a RemoteSubnetRoute's IsolationId is 16 bits in hcsshim
    /// (hcn/hcnpolicy.go) and in kube-proxy's winkernel, and flannel's Windows lease VNI is a uint16.
    /// </summary>
    public const int MaximumVni = ushort.MaxValue;

    public int Vni { get; init; } = MinimumVni;

    public int Port { get; init; } = 4789;
}
