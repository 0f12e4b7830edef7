using System.Net;
using System.Runtime.InteropServices;

namespace Cni.Hcn.Windows.IpHelper;

/// <summary><c>IP_ADDRESS_PREFIX</c> (netioapi.h): a <see cref="SockAddrInet"/> @0 and the prefix length @28, 32 bytes.</summary>
[StructLayout(LayoutKind.Explicit, Size = 32)]
internal struct IpAddressPrefix
{
    [FieldOffset(0)]
    public SockAddrInet Prefix;

    [FieldOffset(28)]
    public byte PrefixLength;

    public static IpAddressPrefix From(IPNetwork network) =>
        new() { Prefix = SockAddrInet.From(network.BaseAddress), PrefixLength = (byte)network.PrefixLength };

    /// <summary>The prefix, or null when the family is not IPv4/IPv6 or the length does not fit it.</summary>
    public readonly IPNetwork? ToNetwork() =>
        Prefix.ToAddress() is { } address && PrefixLength <= (address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128)
            ? new IPNetwork(Mask(address, PrefixLength), PrefixLength)
            : null;

    /// <summary>Clears the host bits, so a prefix Windows reports with them set still parses.</summary>
    private static IPAddress Mask(IPAddress address, int length)
    {
        var bytes = address.GetAddressBytes();
        for (var bit = length; bit < bytes.Length * 8; bit++)
        {
            bytes[bit / 8] &= (byte)~(0x80 >> (bit % 8));
        }

        return new IPAddress(bytes);
    }
}
