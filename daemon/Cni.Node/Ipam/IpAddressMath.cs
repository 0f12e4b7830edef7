using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Cni.Node.Ipam;

/// <summary>IPv4 and IPv6 addresses as unsigned integers, so pools of both families share one code path.</summary>
internal static class IpAddressMath
{
    public static UInt128 ToUInt128(IPAddress address)
    {
        Span<byte> bytes = stackalloc byte[16];
        if (!address.TryWriteBytes(bytes, out var written))
        {
            throw new ArgumentException("address: cannot read the address bytes.", nameof(address));
        }

        return written == 4
            ? BinaryPrimitives.ReadUInt32BigEndian(bytes)
            : BinaryPrimitives.ReadUInt128BigEndian(bytes);
    }

    public static IPAddress FromUInt128(UInt128 value, AddressFamily family)
    {
        if (family == AddressFamily.InterNetwork)
        {
            Span<byte> v4 = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(v4, (uint)value);
            return new IPAddress(v4);
        }

        Span<byte> v6 = stackalloc byte[16];
        BinaryPrimitives.WriteUInt128BigEndian(v6, value);
        return new IPAddress(v6);
    }

    public static int BitWidth(AddressFamily family) => family == AddressFamily.InterNetwork ? 32 : 128;

    /// <summary>The network address of <paramref name="address"/> for a prefix length.</summary>
    public static IPAddress Mask(IPAddress address, int prefix)
    {
        var hostBits = BitWidth(address.AddressFamily) - prefix;
        var hostMask = hostBits == 128 ? UInt128.MaxValue : (UInt128.One << hostBits) - 1;
        return FromUInt128(ToUInt128(address) & ~hostMask, address.AddressFamily);
    }
}
