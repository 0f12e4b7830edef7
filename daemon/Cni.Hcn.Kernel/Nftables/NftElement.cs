using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Cni.Hcn.Kernel.Nftables;

/// <summary>
/// One element of a named set or map in the services table, kept as numbers and written as nft text only when a
/// batch is built: <c>10.96.0.10 . tcp . 53</c>, <c>tcp . 30080</c>, <c>10.96.0.10 . tcp . 53 . 2 : 10.244.1.5 . 8080</c>,
/// <c>10.244.1.5 . 10.244.1.5</c>. (As strings, the keys and values of 40,000 load balancers were a million strings,
/// a tenth of the heap, copied by every collection that promoted them.) An IPv6 element (the <c>ip6</c> services
/// table) keeps its 128-bit addresses in a small object that also holds the set's name, in the field an IPv4 element
/// uses for the name alone, so IPv4 elements stay as small as they were.
/// </summary>
internal readonly record struct NftElement
{
    /// <summary>The set's name (a string) for an IPv4 element, its <see cref="Wide"/> addresses for an IPv6 one.</summary>
    private readonly object _set;
    private readonly uint _first;
    private readonly uint _second;
    private readonly uint _valueAddress;
    private readonly int _index;
    private readonly ushort _port;
    private readonly ushort _valuePort;
    private readonly byte _protocol;
    private readonly ElementShape _shape;
    private readonly bool _hasValue;

    private NftElement(object set, ElementShape shape, uint first, uint second, byte protocol, ushort port, int index, bool hasValue, uint valueAddress, ushort valuePort)
    {
        _set = set;
        _shape = shape;
        _first = first;
        _second = second;
        _protocol = protocol;
        _port = port;
        _index = index;
        _hasValue = hasValue;
        _valueAddress = valueAddress;
        _valuePort = valuePort;
    }

    /// <summary>An element from its nft text (tests, and anything that reads elements back); the forms above.</summary>
    /// <param name="set">The set's or map's name in the services table.</param>
    /// <param name="key">The key, e.g. <c>10.96.0.10 . tcp . 53</c>, <c>tcp . 30080</c> or <c>10.96.0.10 . tcp . 53 . 2</c>.</param>
    /// <param name="value">The value in a map, e.g. <c>10.244.1.5 . 8080</c>; null in a set.</param>
    /// <exception cref="FormatException">The text is none of the forms the services table uses.</exception>
    public NftElement(string set, string key, string? value = null)
    {
        ArgumentNullException.ThrowIfNull(set);
        ArgumentNullException.ThrowIfNull(key);
        var parts = key.Split(" . ");
        var withVip = parts.Length > 0 && (parts[0].Contains('.', StringComparison.Ordinal) || parts[0].Contains(':', StringComparison.Ordinal));
        IPAddress? first = null;
        IPAddress? second = null;
        (_shape, first, second, _protocol, _port, _index) = (parts.Length, withVip) switch
        {
            (2, true) => (ElementShape.AddressPair, Address(parts[0]), Address(parts[1]), (byte)0, (ushort)0, 0),
            (3, true) => (ElementShape.Frontend, Address(parts[0]), null, Protocol(parts[1]), Port(parts[2]), 0),
            (4, true) => (ElementShape.Backend, Address(parts[0]), null, Protocol(parts[1]), Port(parts[2]), Index(parts[3])),
            (2, false) => (ElementShape.PortFrontend, null, null, Protocol(parts[0]), Port(parts[1]), 0),
            (3, false) => (ElementShape.PortBackend, null, null, Protocol(parts[0]), Port(parts[1]), Index(parts[2])),
            _ => throw new FormatException($"'{key}' is not a services-table key"),
        };
        IPAddress? target = null;
        if (value is not null)
        {
            var parsed = value.Split(" . ");
            if (parsed.Length != 2)
            {
                throw new FormatException($"'{value}' is not a services-table value");
            }

            _hasValue = true;
            target = Address(parsed[0]);
            _valuePort = Port(parsed[1]);
        }

        var addresses = new[] { first, second, target }.OfType<IPAddress>().ToList();
        if (addresses.Select(a => a.AddressFamily).Distinct().Count() > 1)
        {
            throw new FormatException($"'{key}{(value is null ? string.Empty : " : " + value)}' mixes IPv4 and IPv6 addresses");
        }

        if (addresses.Count > 0 && addresses[0].AddressFamily == AddressFamily.InterNetworkV6)
        {
            _set = new Wide(set, ToUInt128(first), ToUInt128(second), ToUInt128(target));
        }
        else
        {
            _set = set;
            _first = ToUInt32(first);
            _second = ToUInt32(second);
            _valueAddress = ToUInt32(target);
        }
    }

    private enum ElementShape : byte
    {
        /// <summary><c>address . protocol . port</c>.</summary>
        Frontend,

        /// <summary><c>protocol . port</c>.</summary>
        PortFrontend,

        /// <summary><c>address . protocol . port . index</c> (a VIP backend map).</summary>
        Backend,

        /// <summary><c>protocol . port . index</c> (a NodePort backend map).</summary>
        PortBackend,

        /// <summary><c>address . address</c>.</summary>
        AddressPair,
    }

    /// <summary>The set's or map's name in the services table.</summary>
    public string Set => _set as string ?? ((Wide)_set).Set;

    /// <summary>Whether the element's addresses are IPv6 (it belongs in the <c>ip6</c> services table).</summary>
    public bool IsIpv6 => _set is Wide;

    /// <summary>The key as nft writes it.</summary>
    public string Key => AppendKey(new StringBuilder(32)).ToString();

    /// <summary>The value as nft writes it in a map; null in a set.</summary>
    public string? Value => _hasValue ? AppendValue(new StringBuilder(24)).ToString() : null;

    /// <summary>The element without its value (what a map is keyed by: a key holds one value at a time).</summary>
    public NftElement KeyOnly => new(_set is Wide wide ? wide with { Value = 0 } : _set, _shape, _first, _second, _protocol, _port, _index, hasValue: false, 0, 0);

    /// <summary>A frontend in a set: <c>vip . protocol . port</c>, or <c>protocol . port</c> without a VIP.</summary>
    /// <remarks>A frontend without VIP has no address: it is the same element in either family's table.</remarks>
    public static NftElement Frontend(string set, IPAddress? vip, byte protocol, ushort port) =>
        vip is null
            ? new(set, ElementShape.PortFrontend, 0, 0, protocol, port, 0, hasValue: false, 0, 0)
            : IsV6(vip)
                ? new(new Wide(set, ToUInt128(vip), 0, 0), ElementShape.Frontend, 0, 0, protocol, port, 0, hasValue: false, 0, 0)
                : new(set, ElementShape.Frontend, ToUInt32(vip), 0, protocol, port, 0, hasValue: false, 0, 0);

    /// <summary>A backend map's element: <c>frontend . index : backend . port</c>.</summary>
    public static NftElement Backend(string map, IPAddress? vip, byte protocol, ushort port, int index, IPAddress backend, ushort backendPort)
    {
        ArgumentNullException.ThrowIfNull(backend);
        var shape = vip is null ? ElementShape.PortBackend : ElementShape.Backend;
        if (IsV6(backend))
        {
            return new(new Wide(map, ToUInt128(vip), 0, ToUInt128(backend)), shape, 0, 0, protocol, port, index, hasValue: true, 0, backendPort);
        }

        return new(map, shape, ToUInt32(vip), 0, protocol, port, index, hasValue: true, ToUInt32(backend), backendPort);
    }

    /// <summary>An <c>address . address</c> element.</summary>
    public static NftElement Pair(string set, IPAddress first, IPAddress second) =>
        IsV6(first)
            ? new(new Wide(set, ToUInt128(first), ToUInt128(second), 0), ElementShape.AddressPair, 0, 0, 0, 0, 0, hasValue: false, 0, 0)
            : new(set, ElementShape.AddressPair, ToUInt32(first), ToUInt32(second), 0, 0, 0, hasValue: false, 0, 0);

    /// <summary>A canonical order: by set name, then by key (numerically), then by value.</summary>
    public static int Compare(NftElement a, NftElement b)
    {
        var order = string.CompareOrdinal(a.Set, b.Set);
        if (order != 0)
        {
            return order;
        }

        order = a._shape.CompareTo(b._shape);
        if (order == 0 && (a._set is Wide || b._set is Wide))
        {
            if (a._set is not Wide x || b._set is not Wide y)
            {
                // IPv4 before IPv6 (the tables are apart; only a mixed list needs an order).
                return (a._set is Wide).CompareTo(b._set is Wide);
            }

            order = x.First.CompareTo(y.First);
            order = order != 0 ? order : x.Second.CompareTo(y.Second);
            order = order != 0 ? order : a._protocol.CompareTo(b._protocol);
            order = order != 0 ? order : a._port.CompareTo(b._port);
            order = order != 0 ? order : a._index.CompareTo(b._index);
            order = order != 0 ? order : x.Value.CompareTo(y.Value);
            return order != 0 ? order : a._valuePort.CompareTo(b._valuePort);
        }

        order = order != 0 ? order : a._first.CompareTo(b._first);
        order = order != 0 ? order : a._second.CompareTo(b._second);
        order = order != 0 ? order : a._protocol.CompareTo(b._protocol);
        order = order != 0 ? order : a._port.CompareTo(b._port);
        order = order != 0 ? order : a._index.CompareTo(b._index);
        order = order != 0 ? order : a._valueAddress.CompareTo(b._valueAddress);
        return order != 0 ? order : a._valuePort.CompareTo(b._valuePort);
    }

    /// <summary>The longest key <see cref="WriteKey"/> writes (an IPv6 <c>address . address</c>).</summary>
    public const int MaxKeyBytes = 32;

    /// <summary>The longest value <see cref="WriteValue"/> writes (an IPv6 backend and its port).</summary>
    public const int MaxValueBytes = 20;

    /// <summary>
    /// The key as nf_tables holds it, for a set element message over netlink: each field of the concatenation in
    /// 32-bit registers of its own (zero padded; an IPv6 address fills four), addresses and ports in network order,
    /// the backend index (numgen's 32-bit result) in host order.
    /// </summary>
    /// <param name="destination">At least <see cref="MaxKeyBytes"/> bytes (16 for an IPv4 element).</param>
    /// <returns>The key's length.</returns>
    public int WriteKey(Span<byte> destination)
    {
        var wide = _set as Wide;
        destination[..(wide is null ? 16 : MaxKeyBytes)].Clear();
        var at = 0;
        switch (_shape)
        {
            case ElementShape.AddressPair when wide is not null:
                System.Buffers.Binary.BinaryPrimitives.WriteUInt128BigEndian(destination, wide.First);
                System.Buffers.Binary.BinaryPrimitives.WriteUInt128BigEndian(destination[16..], wide.Second);
                return 32;
            case ElementShape.AddressPair:
                System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(destination, _first);
                System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(destination[4..], _second);
                return 8;
            case ElementShape.Frontend or ElementShape.Backend when wide is not null:
                System.Buffers.Binary.BinaryPrimitives.WriteUInt128BigEndian(destination, wide.First);
                at = 16;
                break;
            case ElementShape.Frontend:
            case ElementShape.Backend:
                System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(destination, _first);
                at = 4;
                break;
        }

        destination[at] = _protocol;
        System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(destination[(at + 4)..], _port);
        at += 8;
        if (_shape is ElementShape.Backend or ElementShape.PortBackend)
        {
            var index = (uint)_index;
            System.Runtime.InteropServices.MemoryMarshal.Write(destination[at..], in index);
            at += 4;
        }

        return at;
    }

    /// <summary>The map value as nf_tables holds it (backend address and port, each in registers); 0 for a set element.</summary>
    /// <param name="destination">At least <see cref="MaxValueBytes"/> bytes (8 for an IPv4 element).</param>
    public int WriteValue(Span<byte> destination)
    {
        if (!_hasValue)
        {
            return 0;
        }

        if (_set is Wide wide)
        {
            destination[..MaxValueBytes].Clear();
            System.Buffers.Binary.BinaryPrimitives.WriteUInt128BigEndian(destination, wide.Value);
            System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(destination[16..], _valuePort);
            return MaxValueBytes;
        }

        destination[..8].Clear();
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(destination, _valueAddress);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(destination[4..], _valuePort);
        return 8;
    }

    /// <summary>The element as nft writes it inside <c>{ }</c> (with its value when adding, without when deleting).</summary>
    public string Text(bool withValue) => AppendTo(new StringBuilder(48), withValue).ToString();

    /// <summary>Writes the element as <see cref="Text"/> says, without a string of its own.</summary>
    public StringBuilder AppendTo(StringBuilder text, bool withValue)
    {
        ArgumentNullException.ThrowIfNull(text);
        AppendKey(text);
        return withValue && _hasValue ? AppendValue(text.Append(" : ")) : text;
    }

    private StringBuilder AppendKey(StringBuilder text)
    {
        var wide = _set as Wide;
        switch (_shape)
        {
            case ElementShape.AddressPair when wide is not null:
                return AppendAddress(AppendAddress(text, wide.First).Append(" . "), wide.Second);
            case ElementShape.AddressPair:
                return AppendAddress(AppendAddress(text, _first).Append(" . "), _second);
            case ElementShape.Frontend or ElementShape.Backend when wide is not null:
                AppendAddress(text, wide.First).Append(" . ");
                break;
            case ElementShape.Frontend:
            case ElementShape.Backend:
                AppendAddress(text, _first).Append(" . ");
                break;
        }

        text.Append(ProtocolName(_protocol)).Append(" . ").Append(_port);
        return _shape is ElementShape.Backend or ElementShape.PortBackend ? text.Append(" . ").Append(_index) : text;
    }

    private StringBuilder AppendValue(StringBuilder text) =>
        (_set is Wide wide ? AppendAddress(text, wide.Value) : AppendAddress(text, _valueAddress)).Append(" . ").Append(_valuePort);

    private static StringBuilder AppendAddress(StringBuilder text, UInt128 address)
    {
        Span<byte> bytes = stackalloc byte[16];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt128BigEndian(bytes, address);
        return text.Append(new IPAddress(bytes));
    }

    private static StringBuilder AppendAddress(StringBuilder text, uint address) =>
        text.Append(address >> 24).Append('.').Append((address >> 16) & 0xff).Append('.').Append((address >> 8) & 0xff).Append('.').Append(address & 0xff);

    private static bool IsV6(IPAddress address) => address.AddressFamily == AddressFamily.InterNetworkV6;

    private static uint ToUInt32(IPAddress? address)
    {
        if (address is null)
        {
            return 0;
        }

        if (address.AddressFamily != AddressFamily.InterNetwork)
        {
            throw new ArgumentException($"{address} is not an IPv4 address, and the element's other addresses are", nameof(address));
        }

        Span<byte> bytes = stackalloc byte[4];
        address.TryWriteBytes(bytes, out _);
        return System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(bytes);
    }

    private static string ProtocolName(byte protocol) => protocol switch
    {
        6 => "tcp",
        17 => "udp",
        132 => "sctp",
        _ => protocol.ToString(CultureInfo.InvariantCulture),
    };

    private static byte Protocol(string text) => text switch
    {
        "tcp" => 6,
        "udp" => 17,
        "sctp" => 132,
        _ => byte.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture),
    };

    private static UInt128 ToUInt128(IPAddress? address)
    {
        if (address is null)
        {
            return 0;
        }

        if (!IsV6(address))
        {
            throw new ArgumentException($"{address} is not an IPv6 address, and the element's other addresses are", nameof(address));
        }

        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out _);
        return System.Buffers.Binary.BinaryPrimitives.ReadUInt128BigEndian(bytes);
    }

    private static IPAddress Address(string text) =>
        IPAddress.TryParse(text, out var address) && address.AddressFamily is AddressFamily.InterNetwork or AddressFamily.InterNetworkV6
            ? address
            : throw new FormatException($"'{text}' is not an IPv4 or IPv6 address");

    private static ushort Port(string text) => ushort.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture);

    private static int Index(string text) => int.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture);

    /// <summary>An IPv6 element's set name and addresses (key addresses, and the backend address of a map element).</summary>
    private sealed record Wide(string Set, UInt128 First, UInt128 Second, UInt128 Value);
}
