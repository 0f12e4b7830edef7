using System.Globalization;
using System.Net.NetworkInformation;

namespace Cni.Hcn.Memory;

/// <summary>MAC parsing, HNS's dash formatting and allocation from a network's pool.</summary>
internal static class MacAddresses
{
    /// <summary>The range used when a network has no MacPool: Hyper-V's 00-15-5D prefix, as HNS uses.</summary>
    public static readonly (ulong Start, ulong End) DefaultRange = (0x00155D000000UL, 0x00155DFFFFFFUL);

    /// <summary>Parses dash, colon or bare-hex forms of a 6-byte MAC.</summary>
    public static bool TryParse(string? text, out ulong value)
    {
        value = 0;
        if (string.IsNullOrWhiteSpace(text) || !PhysicalAddress.TryParse(text.Trim(), out var address))
        {
            return false;
        }

        var bytes = address.GetAddressBytes();
        if (bytes.Length != 6)
        {
            return false;
        }

        foreach (var b in bytes)
        {
            value = (value << 8) | b;
        }

        return true;
    }

    /// <summary>Upper-case dash form (<c>00-15-5D-52-C0-00</c>), as HNS reports MACs.</summary>
    public static string Format(ulong value) => string.Create(CultureInfo.InvariantCulture,
        $"{(value >> 40) & 0xFF:X2}-{(value >> 32) & 0xFF:X2}-{(value >> 24) & 0xFF:X2}-{(value >> 16) & 0xFF:X2}-{(value >> 8) & 0xFF:X2}-{value & 0xFF:X2}");
}
