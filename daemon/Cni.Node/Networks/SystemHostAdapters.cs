using System.Net.NetworkInformation;

namespace Cni.Node.Networks;

/// <summary>
/// The adapters of wincnid's own network namespace through <see cref="NetworkInterface"/> (Windows: the adapter's
/// Name as <c>Get-NetAdapter</c> shows it, which HNS's NetAdapterName policy takes; Linux: the interface name).
/// </summary>
public sealed class SystemHostAdapters : IHostAdapters
{
    /// <inheritdoc/>
    public IReadOnlyList<HostAdapter> List() =>
    [
        .. NetworkInterface.GetAllNetworkInterfaces().Select(nic => new HostAdapter(
            nic.Name,
            nic.GetPhysicalAddress() is { } mac && mac.GetAddressBytes().Length == 6 ? mac : null,
            [.. nic.GetIPProperties().UnicastAddresses.Select(a => a.Address)])),
    ];
}
