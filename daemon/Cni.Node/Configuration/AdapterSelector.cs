using System.Net;
using System.Net.NetworkInformation;

namespace Cni.Node.Configuration;

/// <summary>
/// One host adapter the network binds to (node config list <c>adapters</c>), chosen by exactly one of its name, its
/// MAC address or a subnet one of its addresses is in. Several selectors make a Switch Embedded Teaming team.
/// </summary>
public sealed record AdapterSelector
{
    /// <summary>The adapter's name (Windows: <c>Get-NetAdapter</c>'s Name; Linux: the interface name).</summary>
    public string? Name { get; init; }

    /// <summary>The adapter's MAC address.</summary>
    public PhysicalAddress? MacAddress { get; init; }

    /// <summary>A subnet that holds one of the adapter's addresses.</summary>
    public IPNetwork? Subnet { get; init; }

    /// <summary>The selector as the config wrote it, for messages: <c>name Ethernet</c>, <c>mac 00-15-5D-…</c>, <c>subnet 192.0.2.0/24</c>.</summary>
    public override string ToString() =>
        Name is not null ? $"name {Name}"
        : MacAddress is not null ? $"mac {string.Join('-', MacAddress.GetAddressBytes().Select(b => b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture)))}"
        : Subnet is { } subnet ? $"subnet {subnet}"
        : "nothing";
}
