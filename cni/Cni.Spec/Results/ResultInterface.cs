namespace Cni.Spec.Results;

/// <summary>
/// One entry of a result's <c>interfaces</c>. <see cref="Mtu"/>, <see cref="SocketPath"/> and <see cref="PciId"/> exist
/// only from 1.1.0 on and are dropped when a result is written in an older version.
/// </summary>
public sealed record ResultInterface
{
    public required string Name { get; init; }

    public string? Mac { get; init; }

    /// <summary>1.1.0 only.</summary>
    public int? Mtu { get; init; }

    /// <summary>CNI_NETNS for container-side interfaces; absent for host-side ones.</summary>
    public string? Sandbox { get; init; }

    /// <summary>1.1.0 only.</summary>
    public string? SocketPath { get; init; }

    /// <summary>1.1.0 only.</summary>
    public string? PciId { get; init; }
}
