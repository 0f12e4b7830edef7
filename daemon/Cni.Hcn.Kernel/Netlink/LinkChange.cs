using System.Net.NetworkInformation;

namespace Cni.Hcn.Kernel.Netlink;

/// <summary>An RTM_NEWLINK (set) on an existing link; null members are left alone.</summary>
internal sealed record LinkChange
{
    /// <summary>Bring up (true) or down (false).</summary>
    public bool? Up { get; init; }

    /// <summary>New name (the link must be down).</summary>
    public string? Name { get; init; }

    /// <summary>New MTU.</summary>
    public int? Mtu { get; init; }

    /// <summary>New link-layer address.</summary>
    public PhysicalAddress? Mac { get; init; }

    /// <summary>Enslave to this bridge ifindex (0 releases).</summary>
    public int? MasterIndex { get; init; }

    /// <summary>Move into the network namespace behind this open file descriptor.</summary>
    public int? NetnsFd { get; init; }

    /// <summary>New link group (IFLA_GROUP; 0 is the default group).</summary>
    public uint? Group { get; init; }
}
