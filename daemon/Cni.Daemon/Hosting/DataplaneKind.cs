namespace Cni.Daemon.Hosting;

/// <summary>
/// Which realization of the HCN model the daemon programs (<c>--dataplane</c>; docs/architecture.md).
/// </summary>
public enum DataplaneKind
{
    /// <summary>Windows: computenetwork.dll (HNS).</summary>
    Hcn,

    /// <summary>The in-process emulator: no packets move; for development, tests and control-plane benchmarks.</summary>
    Memory,

    /// <summary>Linux: KernelHcn (bridge, veth, vxlan, netns, nftables) in the namespace wincnid runs in.</summary>
    Kernel,
}
