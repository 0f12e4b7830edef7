namespace Cni.Hcn.Kernel;

/// <summary>Where and how a <see cref="KernelHcn"/> works.</summary>
public sealed record KernelHcnOptions
{
    /// <summary>Directory holding the persisted HCN objects (one JSON file each); created if missing. Required.</summary>
    public required string StateDirectory { get; init; }

    /// <summary>
    /// The network namespace KernelHcn treats as the node ("host"): null means the namespace the process runs in
    /// (<c>wincnid --dataplane kernel</c> started through <c>ip netns exec</c>). Tests point it at a test namespace.
    /// </summary>
    public string? HostNetnsPath { get; init; }

    /// <summary>Where namespaces KernelHcn creates itself are bind-mounted (as <c>ip netns</c> does).</summary>
    public string NetnsDirectory { get; init; } = "/var/run/netns";

    /// <summary>File-name prefix of namespaces KernelHcn creates (<c>&lt;prefix&gt;&lt;namespace ID&gt;</c>).</summary>
    public string NetnsNamePrefix { get; init; } = "wcni-";

    /// <summary>The interface name inside a namespace when the endpoint has no <c>PortName</c> policy (CNI_IFNAME).</summary>
    public string DefaultInterfaceName { get; init; } = "eth0";

    /// <summary>
    /// MTU of the underlay when it cannot be read from the link holding the network's ProviderAddress; Overlay
    /// networks subtract the 50-byte VXLAN overhead from it.
    /// </summary>
    public int UnderlayMtu { get; init; } = 1500;

    /// <summary>
    /// The node's management (underlay) IP, reported as the <c>ProviderAddress</c> policy of Overlay networks as HNS
    /// does, and used as the VXLAN source address; null leaves both to the caller's policies.
    /// </summary>
    public string? ManagementIp { get; init; }

    /// <summary>
    /// libnftables (Debian <c>libnftables1</c>, a dependency of <c>nftables</c>): every atomic batch is committed
    /// in-process on one context opened in <see cref="HostNetnsPath"/>, which a load-balancer change needs to stay in
    /// the sub-millisecond range (an nft process costs 15–30 ms). Null runs <see cref="NftPath"/> per batch instead.
    /// </summary>
    public string? NftLibraryPath { get; init; } = "libnftables.so.1";

    /// <summary>The nft executable, one process per atomic batch; used only when <see cref="NftLibraryPath"/> is null.</summary>
    public string NftPath { get; init; } = "nft";

    /// <summary>
    /// How often a background check asks nf_tables whether anyone else has committed since wincni did, and if so
    /// verifies wincni's tables and repairs them (an element, rule or table deleted out of band). Well below the
    /// service proxy's 30 s resync, so an LB deleted out of band is back before the proxy looks again.
    /// <see cref="TimeSpan.Zero"/> turns the check off.
    /// </summary>
    public TimeSpan DriftCheckInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The nsenter executable, used to run nft inside <see cref="HostNetnsPath"/> when it is set.</summary>
    public string NsenterPath { get; init; } = "nsenter";
}
