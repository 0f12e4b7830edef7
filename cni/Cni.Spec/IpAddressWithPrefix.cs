using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Cni.Spec;

/// <summary>
/// An address in CIDR notation with host bits kept ("10.1.0.5/16"), which is what CNI results carry.
/// <see cref="IPNetwork"/> rejects host bits, so it cannot represent a CNI address.
/// </summary>
public readonly record struct IpAddressWithPrefix(IPAddress Address, int PrefixLength)
{
    /// <summary>True for IPv4 (what 0.3.x/0.4.0 results call <c>"version":"4"</c>).</summary>
    public bool IsIPv4 => Address.AddressFamily == AddressFamily.InterNetwork;

    /// <summary>The network this address belongs to (host bits cleared).</summary>
    public IPNetwork Network => new(Mask(Address, PrefixLength), PrefixLength);

    public static bool TryParse(string? text, out IpAddressWithPrefix value)
    {
        value = default;
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || slash == text.Length - 1 || text.Length - slash > 4)
        {
            return false;
        }

        if (!IpText.TryParseAddress(text[..slash], out var address))
        {
            return false;
        }

        var prefixText = text[(slash + 1)..];
        if ((prefixText.Length > 1 && prefixText[0] == '0')
            || !int.TryParse(prefixText, NumberStyles.None, CultureInfo.InvariantCulture, out var prefix))
        {
            return false;
        }

        var max = address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        if (prefix > max)
        {
            return false;
        }

        value = new IpAddressWithPrefix(address, prefix);
        return true;
    }

    public static IpAddressWithPrefix Parse(string text) =>
        TryParse(text, out var value) ? value : throw new FormatException("not an address in CIDR notation: " + text);

    public override string ToString() =>
        IpText.Format(Address) + "/" + PrefixLength.ToString(CultureInfo.InvariantCulture);

    private static IPAddress Mask(IPAddress address, int prefix)
    {
        var bytes = address.GetAddressBytes();
        for (var i = 0; i < bytes.Length; i++)
        {
            var bits = Math.Clamp(prefix - (i * 8), 0, 8);
            bytes[i] &= (byte)(0xFF << (8 - bits));
        }

        return new IPAddress(bytes);
    }
}
