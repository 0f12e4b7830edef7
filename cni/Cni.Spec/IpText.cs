using System.Net;
using System.Net.Sockets;

namespace Cni.Spec;

/// <summary>
/// Strict IP text parsing. <see cref="IPAddress.TryParse(string?, out IPAddress?)"/> accepts "10.1" and "1" as IPv4
/// and scope IDs on IPv6; Go's net.ParseIP (what runtimes and other plugins use) does not, so neither does wincni.
/// </summary>
public static class IpText
{
    /// <summary>Parses dotted-quad IPv4 (no leading zeros) or IPv6 without a zone.</summary>
    public static bool TryParseAddress(string? text, out IPAddress address)
    {
        address = IPAddress.None;
        if (string.IsNullOrEmpty(text) || text.Length > 64)
        {
            return false;
        }

        if (text.Contains(':', StringComparison.Ordinal))
        {
            if (text.Contains('%', StringComparison.Ordinal) || text.Contains('[', StringComparison.Ordinal)
                || !IPAddress.TryParse(text, out var v6) || v6.AddressFamily != AddressFamily.InterNetworkV6)
            {
                return false;
            }

            address = v6;
            return true;
        }

        if (!IsDottedQuad(text) || !IPAddress.TryParse(text, out var v4) || v4.AddressFamily != AddressFamily.InterNetwork)
        {
            return false;
        }

        address = v4;
        return true;
    }

    /// <summary>Canonical text of an address (IPv6 compressed and lower-case), the form Go prints.</summary>
    public static string Format(IPAddress address) => address.ToString();

    private static bool IsDottedQuad(string text)
    {
        var parts = 0;
        var digits = 0;
        var value = 0;
        var leadingZero = false;
        foreach (var c in text)
        {
            if (c == '.')
            {
                if (digits == 0)
                {
                    return false;
                }

                parts++;
                digits = 0;
                value = 0;
                continue;
            }

            if (c is < '0' or > '9')
            {
                return false;
            }

            if (digits == 1 && leadingZero)
            {
                return false;
            }

            leadingZero = digits == 0 && c == '0';
            value = (value * 10) + (c - '0');
            digits++;
            if (digits > 3 || value > 255)
            {
                return false;
            }
        }

        return digits > 0 && parts == 3;
    }
}
