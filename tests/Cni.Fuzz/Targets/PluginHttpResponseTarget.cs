using Cni.Plugin.Transport;

namespace Cni.Fuzz.Targets;

/// <summary>
/// The one HTTP parser wincni wrote itself: <c>wincni</c>'s reader of wincnid's response (status line, headers,
/// Content-Length, chunked or read-to-close body). What arrives on the socket is read as it comes, in pieces of the
/// sizes the first input byte picks. A finding is any exception other than <see cref="InvalidDataException"/> and
/// <see cref="EndOfStreamException"/> (which DaemonClient turns into code 11), or a body larger than the limit.
/// </summary>
internal sealed class PluginHttpResponseTarget : IFuzzTarget
{
    private const int MaxBody = 64 * 1024;

    public string Name => "plugin-http";

    public string Description => "wincni's HTTP/1.1 response reader (Cni.Plugin Http1ResponseReader)";

    public void Run(ReadOnlySpan<byte> input)
    {
        if (input.IsEmpty)
        {
            return;
        }

        // Short reads are where framing bugs hide: the first byte picks how much each read may return (1..256).
        var piece = input[0] + 1;
        var bytes = input[1..].ToArray();
        var position = 0;
        var reader = new Http1ResponseReader(
            (buffer, offset, count) =>
            {
                var n = Math.Min(Math.Min(count, piece), bytes.Length - position);
                Array.Copy(bytes, position, buffer, offset, n);
                position += n;
                return n;
            },
            MaxBody);
        try
        {
            var response = reader.ReadResponse();
            if (response.Body.Length > MaxBody)
            {
                throw new FuzzFindingException($"a body of {response.Body.Length} bytes passed the limit of {MaxBody}");
            }
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException)
        {
            // Documented: DaemonClient answers these with code 11 naming the socket.
        }
    }
}
