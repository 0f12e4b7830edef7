using System.Globalization;
using Cni.Spec;

namespace Cni.Plugin;

/// <summary>Reads the runtime's stdin to EOF, refusing documents larger than a bound instead of buffering without end.</summary>
internal static class StdinReader
{
    /// <summary>
    /// The largest configuration accepted. Real configs are a few KiB; the bound leaves room for huge
    /// plugin-specific fields (a 1.5 MiB string is a conformance vector) while staying under the daemon's request limit.
    /// </summary>
    public const int MaxBytes = 4 * 1024 * 1024;

    public static byte[] Read(Stream stdin, int maxBytes = MaxBytes)
    {
        var buffer = new byte[16 * 1024];
        var length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    if (buffer.Length > maxBytes)
                    {
                        throw TooLarge(maxBytes);
                    }

                    Array.Resize(ref buffer, Math.Min(buffer.Length * 2, maxBytes + 1));
                }

                var n = stdin.Read(buffer, length, buffer.Length - length);
                if (n == 0)
                {
                    break;
                }

                length += n;
            }
        }
        catch (IOException e)
        {
            throw new CniException(CniErrorCode.IoFailure, "failed to read the network configuration from stdin", e.Message);
        }

        if (length > maxBytes)
        {
            throw TooLarge(maxBytes);
        }

        // A UTF-8 byte order mark is legal before JSON text but must not be forwarded inside the daemon request.
        var start = length >= 3 && buffer[0] == 0xEF && buffer[1] == 0xBB && buffer[2] == 0xBF ? 3 : 0;
        return buffer.AsSpan(start, length - start).ToArray();
    }

    private static CniException TooLarge(int maxBytes) => new(
        CniErrorCode.IoFailure,
        string.Create(CultureInfo.InvariantCulture, $"stdin is larger than the limit of {maxBytes} bytes"),
        "real network configurations are a few KiB; check what the runtime sends on stdin");
}
