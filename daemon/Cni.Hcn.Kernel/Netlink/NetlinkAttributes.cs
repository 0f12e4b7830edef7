using System.Buffers.Binary;
using System.Net;
using System.Text;

namespace Cni.Hcn.Kernel.Netlink;

/// <summary>A parsed run of netlink attributes: type (flags masked off) → payload. The last one of a type wins.</summary>
internal sealed class NetlinkAttributes
{
    private readonly Dictionary<ushort, ReadOnlyMemory<byte>> _values = [];

    private NetlinkAttributes()
    {
    }

    /// <summary>Parses attributes from <paramref name="data"/>; a truncated tail is ignored, as the kernel does.</summary>
    public static NetlinkAttributes Parse(ReadOnlyMemory<byte> data)
    {
        var result = new NetlinkAttributes();
        var offset = 0;
        var span = data.Span;
        while (offset + 4 <= span.Length)
        {
            var length = BinaryPrimitives.ReadUInt16LittleEndian(span[offset..]);
            var type = (ushort)(BinaryPrimitives.ReadUInt16LittleEndian(span[(offset + 2)..]) & Rtnl.NlaTypeMask);
            if (length < 4 || offset + length > span.Length)
            {
                break;
            }

            result._values[type] = data.Slice(offset + 4, length - 4);
            offset += (length + 3) & ~3;
        }

        return result;
    }

    /// <summary>Whether the attribute is present.</summary>
    public bool Has(ushort type) => _values.ContainsKey(type);

    /// <summary>The raw payload, if present.</summary>
    // The cast matters: a bare null would convert through byte[] to an empty ReadOnlyMemory, i.e. "present, empty".
    public ReadOnlyMemory<byte>? Get(ushort type) => _values.TryGetValue(type, out var v) ? v : (ReadOnlyMemory<byte>?)null;

    /// <summary>A NUL-terminated string, if present.</summary>
    public string? GetString(ushort type)
    {
        if (Get(type) is not { } v)
        {
            return null;
        }

        var span = v.Span;
        var end = span.IndexOf((byte)0);
        return Encoding.UTF8.GetString(end >= 0 ? span[..end] : span);
    }

    /// <summary>A u32 in host order, if present.</summary>
    public uint? GetU32(ushort type) => Get(type) is { Length: >= 4 } v ? BinaryPrimitives.ReadUInt32LittleEndian(v.Span) : null;

    /// <summary>A u8, if present.</summary>
    public byte? GetU8(ushort type) => Get(type) is { Length: >= 1 } v ? v.Span[0] : null;

    /// <summary>A u16 in network order, if present.</summary>
    public ushort? GetU16BigEndian(ushort type) => Get(type) is { Length: >= 2 } v ? BinaryPrimitives.ReadUInt16BigEndian(v.Span) : null;

    /// <summary>An IPv4/IPv6 address, if present.</summary>
    public IPAddress? GetAddress(ushort type) => Get(type) is { Length: 4 or 16 } v ? new IPAddress(v.Span) : null;

    /// <summary>Nested attributes, if present.</summary>
    public NetlinkAttributes? GetNested(ushort type) => Get(type) is { } v ? Parse(v) : null;
}
