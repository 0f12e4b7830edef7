using System.Globalization;
using System.Text;

namespace Cni.Plugin.Transport;

/// <summary>
/// Parses one HTTP/1.1 response (status line, headers, then a Content-Length, chunked or read-to-close body).
/// The plugin sends exactly one request per connection with <c>Connection: close</c>, so this is all of HTTP it
/// needs; a full HTTP stack costs more start-up time than the whole rest of an exec (see DaemonClient).
/// </summary>
internal sealed class Http1ResponseReader
{
    private const int MaxHeaderBytes = 16 * 1024;
    private readonly Func<byte[], int, int, int> _read;
    private readonly int _maxBody;
    private byte[] _buffer = new byte[8192];
    private int _start;
    private int _end;

    /// <param name="read">Reads into (buffer, offset, count), returning 0 at end of stream.</param>
    /// <param name="maxBody">The largest body accepted.</param>
    public Http1ResponseReader(Func<byte[], int, int, int> read, int maxBody)
    {
        _read = read;
        _maxBody = maxBody;
    }

    public DaemonResponse ReadResponse()
    {
        var headerEnd = FillUntilHeaderEnd();
        var head = Encoding.ASCII.GetString(_buffer, _start, headerEnd - _start);
        _start = headerEnd + 4;

        var lines = head.Split("\r\n");
        var statusCode = ParseStatusLine(lines[0]);
        long? contentLength = null;
        var chunked = false;
        for (var i = 1; i < lines.Length; i++)
        {
            var colon = lines[i].IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                throw new InvalidDataException($"malformed HTTP header line '{lines[i]}'");
            }

            var name = lines[i].AsSpan(0, colon).Trim();
            var value = lines[i].AsSpan(colon + 1).Trim();
            if (name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                if (!long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var length))
                {
                    throw new InvalidDataException($"malformed Content-Length '{value}'");
                }

                contentLength = length;
            }
            else if (name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase))
            {
                chunked = value.Contains("chunked", StringComparison.OrdinalIgnoreCase);
            }
        }

        byte[] body;
        if (statusCode is 204 or 304 || (statusCode >= 100 && statusCode < 200))
        {
            body = [];
        }
        else if (chunked)
        {
            body = ReadChunkedBody();
        }
        else if (contentLength is { } length)
        {
            if (length > _maxBody)
            {
                throw new InvalidDataException($"response body of {length} bytes exceeds the limit of {_maxBody}");
            }

            body = ReadExactly((int)length);
        }
        else
        {
            body = ReadToEnd();
        }

        return new DaemonResponse(statusCode, body);
    }

    private static int ParseStatusLine(string line)
    {
        // "HTTP/1.1 200 OK"
        var parts = line.Split(' ', 3);
        if (parts.Length < 2 || !parts[0].StartsWith("HTTP/1.", StringComparison.Ordinal)
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var code)
            || code is < 100 or > 599)
        {
            throw new InvalidDataException($"malformed HTTP status line '{line}'");
        }

        return code;
    }

    private int FillUntilHeaderEnd()
    {
        var searchFrom = _start;
        while (true)
        {
            var index = _buffer.AsSpan(searchFrom, _end - searchFrom).IndexOf("\r\n\r\n"u8);
            if (index >= 0)
            {
                return searchFrom + index;
            }

            searchFrom = Math.Max(_start, _end - 3);
            if (_end - _start >= MaxHeaderBytes)
            {
                throw new InvalidDataException("HTTP response headers are too large");
            }

            if (!Fill())
            {
                throw new EndOfStreamException("connection closed before the response headers were complete");
            }
        }
    }

    private byte[] ReadChunkedBody()
    {
        using var body = new MemoryStream();
        while (true)
        {
            var line = ReadLine();
            var semicolon = line.IndexOf(';', StringComparison.Ordinal);
            var sizeText = semicolon >= 0 ? line[..semicolon] : line;
            if (!int.TryParse(sizeText.Trim(), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var size)
                || size < 0)
            {
                throw new InvalidDataException($"malformed chunk size '{line}'");
            }

            if (size == 0)
            {
                // Trailers, if any, end with an empty line.
                while (ReadLine().Length > 0)
                {
                }

                return body.ToArray();
            }

            if (body.Length + size > _maxBody)
            {
                throw new InvalidDataException($"response body exceeds the limit of {_maxBody} bytes");
            }

            body.Write(ReadExactly(size));
            if (ReadLine().Length != 0)
            {
                throw new InvalidDataException("missing CRLF after chunk data");
            }
        }
    }

    private string ReadLine()
    {
        while (true)
        {
            var index = _buffer.AsSpan(_start, _end - _start).IndexOf("\r\n"u8);
            if (index >= 0)
            {
                var line = Encoding.ASCII.GetString(_buffer, _start, index);
                _start += index + 2;
                return line;
            }

            if (_end - _start > MaxHeaderBytes)
            {
                throw new InvalidDataException("HTTP line too long");
            }

            if (!Fill())
            {
                throw new EndOfStreamException("connection closed in the middle of a chunked body");
            }
        }
    }

    private byte[] ReadExactly(int count)
    {
        var result = new byte[count];
        var copied = Math.Min(count, _end - _start);
        Buffer.BlockCopy(_buffer, _start, result, 0, copied);
        _start += copied;
        while (copied < count)
        {
            var n = _read(result, copied, count - copied);
            if (n == 0)
            {
                throw new EndOfStreamException($"connection closed after {copied} of {count} body bytes");
            }

            copied += n;
        }

        return result;
    }

    private byte[] ReadToEnd()
    {
        using var body = new MemoryStream();
        var chunk = _buffer.AsSpan(_start, _end - _start).ToArray();
        var n = chunk.Length;
        _start = _end;
        do
        {
            if (body.Length + n > _maxBody)
            {
                throw new InvalidDataException($"response body exceeds the limit of {_maxBody} bytes");
            }

            body.Write(chunk, 0, n);
            if (chunk.Length < 8192)
            {
                chunk = new byte[8192];
            }
        }
        while ((n = _read(chunk, 0, chunk.Length)) > 0);

        return body.ToArray();
    }

    private bool Fill()
    {
        if (_start > 0 && _start == _end)
        {
            _start = _end = 0;
        }

        if (_end == _buffer.Length)
        {
            if (_start > 0)
            {
                Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
                _end -= _start;
                _start = 0;
            }
            else
            {
                Array.Resize(ref _buffer, _buffer.Length * 2);
            }
        }

        var n = _read(_buffer, _end, _buffer.Length - _end);
        _end += n;
        return n > 0;
    }
}
