using System.Buffers;
using System.Buffers.Binary;
using System.Net;
using System.Text;

namespace Cni.Node.Ipam;

/// <summary>
/// The journal's on-disk format. File = header, then frames. Header (16 bytes): ASCII "WCNIIPAM", uint32 LE
/// version, uint32 LE CRC-32C of the first 12 bytes. Frame: uint32 LE payload length, uint32 LE CRC-32C over the
/// length bytes and the payload, then the payload. Payload: a kind byte, then fields: strings as uint16 LE byte
/// count (0xFFFF = null) + UTF-8; times as int64 LE UTC ticks; addresses as a length byte (4 or 16) + bytes.
/// </summary>
internal static class JournalCodec
{
    public const int HeaderSize = 16;
    public const int FrameHeaderSize = 8;
    public const uint Version = 1;

    /// <summary>Largest payload; validated fields keep real records far below it.</summary>
    public const int MaxPayloadBytes = 64 * 1024;

    private const ushort NullString = 0xFFFF;
    private const byte KindAllocate = 1;
    private const byte KindRelease = 2;
    private const byte KindQuarantine = 3;
    private static readonly byte[] Magic = "WCNIIPAM"u8.ToArray();
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static byte[] Header()
    {
        var header = new byte[HeaderSize];
        Magic.CopyTo(header, 0);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(8), Version);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(12), Crc32C.Compute(header.AsSpan(0, 12)));
        return header;
    }

    public static bool IsValidHeader(ReadOnlySpan<byte> header) =>
        header.Length >= HeaderSize
        && header[..8].SequenceEqual(Magic)
        && BinaryPrimitives.ReadUInt32LittleEndian(header[8..]) == Version
        && BinaryPrimitives.ReadUInt32LittleEndian(header[12..]) == Crc32C.Compute(header[..12]);

    /// <summary>Encodes a record as a complete frame.</summary>
    public static byte[] Frame(JournalRecord record)
    {
        var payload = new ArrayBufferWriter<byte>(128);
        switch (record)
        {
            case AllocateRecord a:
                WriteByte(payload, KindAllocate);
                WriteString(payload, a.Lease.Key.ContainerId);
                WriteString(payload, a.Lease.Key.IfName);
                WriteString(payload, a.Lease.Owner.NetworkName);
                WriteString(payload, a.Lease.Owner.Netns);
                WriteString(payload, a.Lease.Owner.PodNamespace);
                WriteString(payload, a.Lease.Owner.PodName);
                WriteTime(payload, a.Lease.AllocatedAt);
                WriteByte(payload, checked((byte)a.Lease.Addresses.Count));
                foreach (var address in a.Lease.Addresses)
                {
                    WriteAddress(payload, address.Address);
                    WriteByte(payload, (byte)address.Subnet.PrefixLength);
                }

                break;
            case ReleaseRecord r:
                WriteByte(payload, KindRelease);
                WriteString(payload, r.Key.ContainerId);
                WriteString(payload, r.Key.IfName);
                WriteTime(payload, r.ReleasedAt);
                WriteTime(payload, r.QuarantineUntil);
                WriteByte(payload, checked((byte)r.Addresses.Count));
                foreach (var address in r.Addresses)
                {
                    WriteAddress(payload, address);
                }

                break;
            case QuarantineRecord q:
                WriteByte(payload, KindQuarantine);
                WriteAddress(payload, q.Address);
                WriteTime(payload, q.Until);
                break;
            default:
                throw new ArgumentException($"record: unsupported journal record type {record.GetType().Name}.", nameof(record));
        }

        if (payload.WrittenCount > MaxPayloadBytes)
        {
            throw new ArgumentException($"record: encodes to {payload.WrittenCount} bytes; at most {MaxPayloadBytes} are allowed.", nameof(record));
        }

        var frame = new byte[FrameHeaderSize + payload.WrittenCount];
        BinaryPrimitives.WriteUInt32LittleEndian(frame, (uint)payload.WrittenCount);
        payload.WrittenSpan.CopyTo(frame.AsSpan(FrameHeaderSize));
        BinaryPrimitives.WriteUInt32LittleEndian(frame.AsSpan(4), FrameCrc(frame.AsSpan(0, 4), payload.WrittenSpan));
        return frame;
    }

    /// <summary>
    /// Decodes the frame at the start of <paramref name="data"/>. False when the frame is incomplete, fails its
    /// CRC or does not decode: recovery treats all three as the end of the valid log.
    /// </summary>
    public static bool TryReadFrame(ReadOnlySpan<byte> data, out JournalRecord? record, out int frameLength)
    {
        record = null;
        frameLength = 0;
        if (data.Length < FrameHeaderSize)
        {
            return false;
        }

        var length = BinaryPrimitives.ReadUInt32LittleEndian(data);
        if (length == 0 || length > MaxPayloadBytes || length > (uint)(data.Length - FrameHeaderSize))
        {
            return false;
        }

        var payload = data.Slice(FrameHeaderSize, (int)length);
        if (BinaryPrimitives.ReadUInt32LittleEndian(data[4..]) != FrameCrc(data[..4], payload))
        {
            return false;
        }

        try
        {
            var reader = new Reader(payload);
            record = reader.ReadRecord();
            if (!reader.AtEnd)
            {
                record = null;
                return false;
            }
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or OverflowException)
        {
            // A record that passes its CRC but fails validation came from a different (buggy or newer) writer.
            return false;
        }

        frameLength = FrameHeaderSize + (int)length;
        return true;
    }

    private static uint FrameCrc(ReadOnlySpan<byte> lengthBytes, ReadOnlySpan<byte> payload) =>
        Crc32C.Finish(Crc32C.Append(Crc32C.Append(Crc32C.Start, lengthBytes), payload));

    private static void WriteByte(ArrayBufferWriter<byte> writer, byte value)
    {
        writer.GetSpan(1)[0] = value;
        writer.Advance(1);
    }

    private static void WriteString(ArrayBufferWriter<byte> writer, string? value)
    {
        if (value is null)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(writer.GetSpan(2), NullString);
            writer.Advance(2);
            return;
        }

        var count = Encoding.UTF8.GetByteCount(value);
        if (count >= NullString)
        {
            throw new ArgumentException($"record: a string field encodes to {count} bytes; at most {NullString - 1} are allowed.", nameof(value));
        }

        var span = writer.GetSpan(2 + count);
        BinaryPrimitives.WriteUInt16LittleEndian(span, (ushort)count);
        Encoding.UTF8.GetBytes(value, span[2..]);
        writer.Advance(2 + count);
    }

    private static void WriteTime(ArrayBufferWriter<byte> writer, DateTimeOffset value)
    {
        BinaryPrimitives.WriteInt64LittleEndian(writer.GetSpan(8), value.UtcTicks);
        writer.Advance(8);
    }

    private static void WriteAddress(ArrayBufferWriter<byte> writer, IPAddress address)
    {
        var span = writer.GetSpan(17);
        if (!address.TryWriteBytes(span[1..], out var written))
        {
            throw new ArgumentException("record: cannot encode an address.", nameof(address));
        }

        span[0] = (byte)written;
        writer.Advance(1 + written);
    }

    /// <summary>Bounds-checked payload reader; every problem is a <see cref="FormatException"/>.</summary>
    private ref struct Reader(ReadOnlySpan<byte> data)
    {
        private readonly ReadOnlySpan<byte> _data = data;
        private int _position;

        public readonly bool AtEnd => _position == _data.Length;

        public JournalRecord ReadRecord()
        {
            var kind = ReadByte();
            switch (kind)
            {
                case KindAllocate:
                {
                    var key = new LeaseKey(ReadRequiredString(), ReadRequiredString());
                    var owner = new LeaseOwner(ReadRequiredString(), ReadString(), ReadString(), ReadString());
                    var allocatedAt = ReadTime();
                    var count = ReadByte();
                    var addresses = new List<LeasedAddress>(count);
                    for (var i = 0; i < count; i++)
                    {
                        var address = ReadAddress();
                        var prefix = ReadByte();
                        if (prefix > IpAddressMath.BitWidth(address.AddressFamily))
                        {
                            throw new FormatException("prefix length out of range");
                        }

                        addresses.Add(new LeasedAddress(address, new IPNetwork(IpAddressMath.Mask(address, prefix), prefix)));
                    }

                    return new AllocateRecord(new IpLease(key, owner, addresses, allocatedAt));
                }

                case KindRelease:
                {
                    var key = new LeaseKey(ReadRequiredString(), ReadRequiredString());
                    var releasedAt = ReadTime();
                    var until = ReadTime();
                    var count = ReadByte();
                    var addresses = new List<IPAddress>(count);
                    for (var i = 0; i < count; i++)
                    {
                        addresses.Add(ReadAddress());
                    }

                    return new ReleaseRecord(key, releasedAt, until, addresses);
                }

                case KindQuarantine:
                    return new QuarantineRecord(ReadAddress(), ReadTime());
                default:
                    throw new FormatException($"unknown record kind {kind}");
            }
        }

        private ReadOnlySpan<byte> Take(int count)
        {
            if (count < 0 || count > _data.Length - _position)
            {
                throw new FormatException("record is truncated");
            }

            var span = _data.Slice(_position, count);
            _position += count;
            return span;
        }

        private byte ReadByte() => Take(1)[0];

        private string? ReadString()
        {
            var count = BinaryPrimitives.ReadUInt16LittleEndian(Take(2));
            return count == NullString ? null : StrictUtf8.GetString(Take(count));
        }

        private string ReadRequiredString() => ReadString() ?? throw new FormatException("required string is null");

        private DateTimeOffset ReadTime()
        {
            var ticks = BinaryPrimitives.ReadInt64LittleEndian(Take(8));
            if (ticks < DateTimeOffset.MinValue.UtcTicks || ticks > DateTimeOffset.MaxValue.UtcTicks)
            {
                throw new FormatException("time out of range");
            }

            return new DateTimeOffset(ticks, TimeSpan.Zero);
        }

        private IPAddress ReadAddress()
        {
            var length = ReadByte();
            if (length is not (4 or 16))
            {
                throw new FormatException("address length must be 4 or 16");
            }

            return new IPAddress(Take(length));
        }
    }
}
