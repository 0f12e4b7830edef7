namespace Cni.Node.Ipam;

/// <summary>Why a recovered lease does not fit the current pools.</summary>
public enum StaleLeaseReason
{
    /// <summary>An address lies outside every configured pool (the node's pod CIDR changed).</summary>
    OutsidePools,

    /// <summary>An address is reserved under the current mode (e.g. it became the source VIP after a mode change).</summary>
    ReservedAddress,

    /// <summary>An address is also held by another recovered lease.</summary>
    DuplicateAddress,
}
