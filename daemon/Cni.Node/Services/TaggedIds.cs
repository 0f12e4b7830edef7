using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Cni.Node.Services;

/// <summary>
/// RFC 9562 UUID v8 (custom) IDs for HCN objects wincni names itself: a fixed 32-bit tag, then 90 bits of SHA-256 of
/// the object's identity text. The tag marks every object of one kind (orphans included); the hash identifies it.
/// </summary>
internal static class TaggedIds
{
    /// <summary>The ID of <paramref name="text"/> under <paramref name="tag"/>.</summary>
    public static Guid Create(uint tag, string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];

        // Identity texts are short (addresses, Service keys): hashed from the stack, not from a new array each time.
        var length = Encoding.UTF8.GetMaxByteCount(text.Length);
        var utf8 = length <= 512 ? stackalloc byte[length] : new byte[length];
        SHA256.HashData(utf8[..Encoding.UTF8.GetBytes(text, utf8)], hash);
        Span<byte> bytes = stackalloc byte[16];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, tag);
        hash[..12].CopyTo(bytes[4..]);
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x80);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes, bigEndian: true);
    }

    /// <summary>Whether <paramref name="id"/> carries <paramref name="tag"/>, version 8 and the RFC variant.</summary>
    public static bool HasTag(uint tag, Guid id)
    {
        Span<byte> bytes = stackalloc byte[16];
        id.TryWriteBytes(bytes, bigEndian: true, out _);
        return BinaryPrimitives.ReadUInt32BigEndian(bytes) == tag && (bytes[6] & 0xF0) == 0x80 && (bytes[8] & 0xC0) == 0x80;
    }
}
