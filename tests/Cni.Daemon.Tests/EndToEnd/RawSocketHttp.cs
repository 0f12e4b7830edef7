using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace Cni.Daemon.Tests.EndToEnd;

/// <summary>
/// A hand-rolled HTTP/1.1 client on the CNI socket, for requests no well-behaved client sends: a declared length
/// above the daemon's limit, or a body that is not a daemon request at all.
/// </summary>
internal static class RawSocketHttp
{
    public static async Task<(int Status, string Body)> PostAsync(string socketPath, string path, byte[] body, long? declaredLength = null)
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cts.Token).ConfigureAwait(false);
        using var stream = new NetworkStream(socket, ownsSocket: false);
        var head = string.Create(
            CultureInfo.InvariantCulture,
            $"POST {path} HTTP/1.1\r\nHost: wincnid\r\nContent-Type: application/json\r\nContent-Length: {declaredLength ?? body.Length}\r\n\r\n");
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head), cts.Token).ConfigureAwait(false);
        try
        {
            await stream.WriteAsync(body, cts.Token).ConfigureAwait(false);
        }
        catch (IOException)
        {
            // The daemon may answer and close before taking the whole body; its answer is what counts.
        }

        using var response = new MemoryStream();
        var buffer = new byte[64 * 1024];
        while (true)
        {
            int read;
            try
            {
                read = await stream.ReadAsync(buffer, cts.Token).ConfigureAwait(false);
            }
            catch (IOException)
            {
                break;
            }

            if (read == 0)
            {
                break;
            }

            response.Write(buffer, 0, read);
            if (TryComplete(response.ToArray(), out var status, out var text))
            {
                return (status, text);
            }
        }

        return TryComplete(response.ToArray(), out var s, out var t) || s != 0
            ? (s, t)
            : throw new IOException("the daemon closed the connection without a complete response: " + Encoding.UTF8.GetString(response.ToArray()));
    }

    private static bool TryComplete(byte[] data, out int status, out string body)
    {
        status = 0;
        body = "";
        var text = Encoding.UTF8.GetString(data);
        var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        if (end < 0)
        {
            return false;
        }

        var lines = text[..end].Split("\r\n");
        status = int.Parse(lines[0].Split(' ')[1], CultureInfo.InvariantCulture);
        var lengthLine = lines.FirstOrDefault(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase));
        if (lengthLine is null)
        {
            // Chunked or close-delimited: good enough to take what is there once the peer stops.
            body = text[(end + 4)..];
            return false;
        }

        var length = int.Parse(lengthLine["Content-Length:".Length..].Trim(), CultureInfo.InvariantCulture);
        var bodyBytes = data.Length - (Encoding.UTF8.GetByteCount(text[..end]) + 4);
        if (bodyBytes < length)
        {
            return false;
        }

        body = text[(end + 4)..];
        return true;
    }
}
