using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Cni.Hcn.Memory;

/// <summary>IP and prefix arithmetic for the emulator's validation and static IPAM.</summary>
internal static class AddressMath
{
    public static bool TryParseAddress(string? text, out IPAddress address)
    {
        address = IPAddress.None;
        if (string.IsNullOrWhiteSpace(text) || !IPAddress.TryParse(text, out var parsed) || text.Contains('/', StringComparison.Ordinal))
        {
            return false;
        }

        address = parsed;
        return true;
    }

    /// <summary>A CIDR with no host bits set (what HNS expects for subnets and route prefixes).</summary>
    public static bool TryParsePrefix(string? text, out IPNetwork prefix)
    {
        prefix = default;
        if (string.IsNullOrWhiteSpace(text) || !IPNetwork.TryParse(text, out prefix))
        {
            return false;
        }

        // Some runtimes mask host bits instead of rejecting them; HNS wants the network address itself.
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        return slash > 0 && IPAddress.TryParse(text.AsSpan(0, slash), out var written) && written.Equals(prefix.BaseAddress);
    }

    /// <summary>A CIDR or a bare address (OutBoundNAT exceptions and ACL address lists accept both).</summary>
    public static bool IsPrefixOrAddress(string? text) =>
        TryParsePrefix(text, out _) || TryParseAddress(text, out _);

    /// <summary>The network address, and for IPv4 prefixes shorter than /31 the broadcast address.</summary>
    public static bool IsNetworkOrBroadcast(IPNetwork prefix, IPAddress address)
    {
        var value = ToNumber(address);
        var first = ToNumber(prefix.BaseAddress);
        if (value == first && HostBits(prefix) > 1)
        {
            return true;
        }

        return prefix.BaseAddress.AddressFamily == AddressFamily.InterNetwork
            && HostBits(prefix) > 1
            && value == Last(prefix);
    }

    /// <summary>The first address of <paramref name="prefix"/> that is usable and free, or null when it is full.</summary>
    public static IPAddress? FirstFree(IPNetwork prefix, Func<IPAddress, bool> isUsable)
    {
        var first = ToNumber(prefix.BaseAddress);
        var last = Last(prefix);
        var limit = first + 1_000_000; // IPv6 /64s are effectively endless; bound the scan.
        for (var n = first; n <= last && n < limit; n++)
        {
            var candidate = FromNumber(n, prefix.BaseAddress.AddressFamily);
            if (!IsNetworkOrBroadcast(prefix, candidate) && isUsable(candidate))
            {
                return candidate;
            }

            if (n == UInt128.MaxValue)
            {
                break;
            }
        }

        return null;
    }

    private static int HostBits(IPNetwork prefix) =>
        (prefix.BaseAddress.AddressFamily == AddressFamily.InterNetwork ? 32 : 128) - prefix.PrefixLength;

    private static UInt128 Last(IPNetwork prefix)
    {
        var bits = HostBits(prefix);
        var span = bits >= 128 ? UInt128.MaxValue : (UInt128.One << bits) - 1;
        return ToNumber(prefix.BaseAddress) | span;
    }

    private static UInt128 ToNumber(IPAddress address)
    {
        Span<byte> bytes = stackalloc byte[16];
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            bytes.Clear();
            address.TryWriteBytes(bytes[12..], out _);
        }
        else
        {
            address.TryWriteBytes(bytes, out _);
        }

        return BinaryPrimitives.ReadUInt128BigEndian(bytes);
    }

    private static IPAddress FromNumber(UInt128 value, AddressFamily family)
    {
        Span<byte> bytes = stackalloc byte[16];
        BinaryPrimitives.WriteUInt128BigEndian(bytes, value);
        return family == AddressFamily.InterNetwork ? new IPAddress(bytes[12..]) : new IPAddress(bytes);
    }
}
