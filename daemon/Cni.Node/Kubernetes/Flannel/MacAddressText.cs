using System.Globalization;
using System.Net.NetworkInformation;

namespace Cni.Node.Kubernetes.Flannel;

/// <summary>
/// MAC address text in the two forms that meet here: flannel writes <c>aa:bb:cc:dd:ee:ff</c>, HNS and Calico use
/// <c>AA-BB-CC-DD-EE-FF</c>. Both are accepted when reading; each writer picks its form.
/// </summary>
public static class MacAddressText
{
    /// <summary>Parses six hex octets separated consistently by <c>:</c> or <c>-</c> (any letter case).</summary>
    /// <param name="address">The address, when the text is valid.</param>
    /// <returns>Whether the text is a valid MAC address.</returns>
    public static bool TryParse(string? text, out PhysicalAddress address)
    {
        address = PhysicalAddress.None;
        if (text is null || text.Length != 17)
        {
            return false;
        }

        var separator = text[2];
        if (separator is not (':' or '-'))
        {
            return false;
        }

        var bytes = new byte[6];
        for (var i = 0; i < 6; i++)
        {
            if (i > 0 && text[(i * 3) - 1] != separator)
            {
                return false;
            }

            if (!byte.TryParse(text.AsSpan(i * 3, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out bytes[i]))
            {
                return false;
            }
        }

        address = new PhysicalAddress(bytes);
        return true;
    }

    /// <summary>flannel's form, <c>aa:bb:cc:dd:ee:ff</c> (what <c>backend-data</c> carries).</summary>
    /// <returns>The text.</returns>
    public static string ToColonForm(PhysicalAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return string.Join(':', address.GetAddressBytes().Select(b => b.ToString("x2", CultureInfo.InvariantCulture)));
    }

    /// <summary>HNS's form, <c>AA-BB-CC-DD-EE-FF</c> (e.g. RemoteSubnetRoute's DistributedRouterMacAddress).</summary>
    /// <returns>The text.</returns>
    public static string ToDashForm(PhysicalAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return string.Join('-', address.GetAddressBytes().Select(b => b.ToString("X2", CultureInfo.InvariantCulture)));
    }
}
