namespace Cni.Node.Networks;

/// <summary>
/// How long the bootstrap waits for what HNS makes after a network create, before the node stays not ready and the
/// reconciler tries again. flannel waits the same way: on an Overlay network every 500 ms (≤ 5 s) for the
/// ProviderAddress, then every 3 s (≤ 25 s) for a host interface holding it (pkg/backend/vxlan/device_windows.go); on
/// L2Bridge every 500 ms for the management IP, the host interface and the host endpoint's attach
/// (pkg/backend/hostgw/hostgw_windows.go).
/// </summary>
public sealed record HostInterfaceWaits
{
    /// <summary>flannel's waits.</summary>
    public static HostInterfaceWaits Default { get; } = new();

    /// <summary>How often to look again.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>How long HNS may take to report the Overlay network's ProviderAddress.</summary>
    public TimeSpan ProviderAddressTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long the host may take to show an interface holding the management IP or the host endpoint's address.</summary>
    public TimeSpan InterfaceTimeout { get; init; } = TimeSpan.FromSeconds(25);
}
