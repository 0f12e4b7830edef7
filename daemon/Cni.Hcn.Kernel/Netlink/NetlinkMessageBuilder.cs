using System.Buffers.Binary;
using System.Net;
using System.Text;

namespace Cni.Hcn.Kernel.Netlink;

/// <summary>
/// Builds one netlink message: the 16-byte <c>nlmsghdr</c>, the family header (ifinfomsg, rtmsg, …) and 4-byte
/// aligned attributes, nested ones included. Integers are in host order (netlink's), except where the kernel
/// wants network order (e.g. <c>IFLA_VXLAN_PORT</c>), which callers write with <see cref="AddU16BigEndian"/>.
/// </summary>
internal sealed class NetlinkMessageBuilder
{
    private readonly List<byte> _bytes = new(256);
    private readonly Stack<int> _nests = new();

    /// <summary>Starts a message of <paramref name="type"/> with <paramref name="flags"/> (REQUEST is always added).</summary>
    public NetlinkMessageBuilder(ushort type, ushort flags)
    {
        Type = type;
        Flags = (ushort)(flags | Rtnl.NlmFRequest);
        _bytes.AddRange(new byte[Rtnl.NlmsgHeaderLength]);
    }

    /// <summary>The message type.</summary>
    public ushort Type { get; }

    /// <summary>The header flags.</summary>
    public ushort Flags { get; }

    /// <summary>Appends an <c>ifinfomsg</c>.</summary>
    public NetlinkMessageBuilder IfInfo(byte family = Rtnl.AfUnspec, int index = 0, uint flags = 0, uint change = 0)
    {
        Span<byte> s = stackalloc byte[Rtnl.IfInfoMsgLength];
        s.Clear();
        s[0] = family;
        BinaryPrimitives.WriteInt32LittleEndian(s[4..], index);
        BinaryPrimitives.WriteUInt32LittleEndian(s[8..], flags);
        BinaryPrimitives.WriteUInt32LittleEndian(s[12..], change);
        Append(s);
        return this;
    }

    /// <summary>Appends an <c>ifaddrmsg</c>.</summary>
    public NetlinkMessageBuilder IfAddr(byte family, byte prefixLength, int index, byte scope = Rtnl.RtScopeUniverse, byte flags = 0)
    {
        Span<byte> s = stackalloc byte[Rtnl.IfAddrMsgLength];
        s.Clear();
        s[0] = family;
        s[1] = prefixLength;
        s[2] = flags;
        s[3] = scope;
        BinaryPrimitives.WriteInt32LittleEndian(s[4..], index);
        Append(s);
        return this;
    }

    /// <summary>Appends an <c>rtmsg</c>.</summary>
    public NetlinkMessageBuilder RtMsg(byte family, byte dstLength, byte table, byte protocol, byte scope, byte type, uint flags)
    {
        Span<byte> s = stackalloc byte[Rtnl.RtMsgLength];
        s.Clear();
        s[0] = family;
        s[1] = dstLength;
        s[4] = table;
        s[5] = protocol;
        s[6] = scope;
        s[7] = type;
        BinaryPrimitives.WriteUInt32LittleEndian(s[8..], flags);
        Append(s);
        return this;
    }

    /// <summary>Appends an <c>ndmsg</c>.</summary>
    public NetlinkMessageBuilder NdMsg(byte family, int index, ushort state, byte flags)
    {
        Span<byte> s = stackalloc byte[Rtnl.NdMsgLength];
        s.Clear();
        s[0] = family;
        BinaryPrimitives.WriteInt32LittleEndian(s[4..], index);
        BinaryPrimitives.WriteUInt16LittleEndian(s[8..], state);
        s[10] = flags;
        Append(s);
        return this;
    }

    /// <summary>Appends an <c>nfgenmsg</c> (nfnetlink's family header: family, version, big-endian resource ID).</summary>
    public NetlinkMessageBuilder NfGenMsg(byte family, byte version = 0, ushort resourceId = 0)
    {
        Span<byte> s = stackalloc byte[4];
        s[0] = family;
        s[1] = version;
        BinaryPrimitives.WriteUInt16BigEndian(s[2..], resourceId);
        Append(s);
        return this;
    }

    /// <summary>Appends an attribute with raw bytes.</summary>
    public NetlinkMessageBuilder Add(ushort type, ReadOnlySpan<byte> value)
    {
        Span<byte> header = stackalloc byte[4];
        BinaryPrimitives.WriteUInt16LittleEndian(header, (ushort)(4 + value.Length));
        BinaryPrimitives.WriteUInt16LittleEndian(header[2..], type);
        Append(header);
        Append(value);
        Pad();
        return this;
    }

    /// <summary>Appends a NUL-terminated string attribute.</summary>
    public NetlinkMessageBuilder AddString(ushort type, string value)
    {
        var bytes = new byte[Encoding.UTF8.GetByteCount(value) + 1];
        Encoding.UTF8.GetBytes(value, bytes);
        return Add(type, bytes);
    }

    /// <summary>Appends a u8 attribute.</summary>
    public NetlinkMessageBuilder AddU8(ushort type, byte value) => Add(type, [value]);

    /// <summary>Appends a u32 attribute in host order.</summary>
    public NetlinkMessageBuilder AddU32(ushort type, uint value)
    {
        Span<byte> s = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(s, value);
        return Add(type, s);
    }

    /// <summary>Appends a u16 attribute in network order.</summary>
    public NetlinkMessageBuilder AddU16BigEndian(ushort type, ushort value)
    {
        Span<byte> s = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(s, value);
        return Add(type, s);
    }

    /// <summary>Appends a u32 attribute in network order (nfnetlink's integers, e.g. <c>CTA_ID</c>).</summary>
    public NetlinkMessageBuilder AddU32BigEndian(ushort type, uint value)
    {
        Span<byte> s = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(s, value);
        return Add(type, s);
    }

    /// <summary>Appends an address attribute (4 or 16 bytes).</summary>
    public NetlinkMessageBuilder AddAddress(ushort type, IPAddress address) => Add(type, address.GetAddressBytes());

    /// <summary>Opens a nested attribute; close it with <see cref="EndNested"/>.</summary>
    public NetlinkMessageBuilder BeginNested(ushort type)
    {
        _nests.Push(_bytes.Count);
        Span<byte> header = stackalloc byte[4];
        BinaryPrimitives.WriteUInt16LittleEndian(header[2..], type);
        Append(header);
        return this;
    }

    /// <summary>Appends raw bytes inside a nest (e.g. the peer's ifinfomsg in VETH_INFO_PEER).</summary>
    public NetlinkMessageBuilder AppendRaw(ReadOnlySpan<byte> bytes)
    {
        Append(bytes);
        Pad();
        return this;
    }

    /// <summary>Closes the innermost nested attribute.</summary>
    public NetlinkMessageBuilder EndNested()
    {
        var start = _nests.Pop();
        var length = (ushort)(_bytes.Count - start);
        _bytes[start] = (byte)length;
        _bytes[start + 1] = (byte)(length >> 8);
        return this;
    }

    /// <summary>The finished message with its length, type, flags and sequence number filled in.</summary>
    public byte[] Build(uint sequence)
    {
        if (_nests.Count != 0)
        {
            throw new InvalidOperationException("A nested attribute is still open.");
        }

        var message = _bytes.ToArray();
        BinaryPrimitives.WriteUInt32LittleEndian(message, (uint)message.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(message.AsSpan(4), Type);
        BinaryPrimitives.WriteUInt16LittleEndian(message.AsSpan(6), Flags);
        BinaryPrimitives.WriteUInt32LittleEndian(message.AsSpan(8), sequence);
        return message;
    }

    private void Append(ReadOnlySpan<byte> bytes)
    {
        foreach (var b in bytes)
        {
            _bytes.Add(b);
        }
    }

    private void Pad()
    {
        while (_bytes.Count % 4 != 0)
        {
            _bytes.Add(0);
        }
    }
}
