using System.Buffers;
using System.Text;

namespace Cni.Spec.Json;

/// <summary>
/// Writes the few JSON documents on the plugin's exec path (the VERSION answer, the daemon request) without
/// <see cref="System.Text.Json.Utf8JsonWriter"/>: its default encoder builds Unicode range tables on first use, which
/// measured as roughly a third of all instructions of a VERSION exec (callgrind). JSON only requires escaping the
/// quote, the backslash and control characters, so that is all this does; every other character goes out as UTF-8.
/// </summary>
internal static class MinimalJsonWriter
{
    private static ReadOnlySpan<byte> Hex => "0123456789abcdef"u8;

    /// <summary>Appends <paramref name="value"/> as a JSON string literal, quotes included.</summary>
    public static void WriteString(IBufferWriter<byte> output, string value)
    {
        WriteRaw(output, "\""u8);
        var start = 0;
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c >= 0x20 && c != '"' && c != '\\')
            {
                continue;
            }

            WriteUtf8(output, value.AsSpan(start, i - start));
            switch (c)
            {
                case '"': WriteRaw(output, "\\\""u8); break;
                case '\\': WriteRaw(output, "\\\\"u8); break;
                case '\n': WriteRaw(output, "\\n"u8); break;
                case '\r': WriteRaw(output, "\\r"u8); break;
                case '\t': WriteRaw(output, "\\t"u8); break;
                default:
                    Span<byte> escape = [(byte)'\\', (byte)'u', (byte)'0', (byte)'0', Hex[c >> 4], Hex[c & 0xF]];
                    WriteRaw(output, escape);
                    break;
            }

            start = i + 1;
        }

        WriteUtf8(output, value.AsSpan(start));
        WriteRaw(output, "\""u8);
    }

    /// <summary>Appends bytes that are already JSON (punctuation, property names, a validated document).</summary>
    public static void WriteRaw(IBufferWriter<byte> output, ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(output.GetSpan(bytes.Length));
        output.Advance(bytes.Length);
    }

    private static void WriteUtf8(IBufferWriter<byte> output, ReadOnlySpan<char> text)
    {
        if (text.IsEmpty)
        {
            return;
        }

        // Lone surrogates become U+FFFD rather than invalid UTF-8.
        var written = Encoding.UTF8.GetBytes(text, output.GetSpan(Encoding.UTF8.GetMaxByteCount(text.Length)));
        output.Advance(written);
    }
}
