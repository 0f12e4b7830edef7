using System.Globalization;
using System.Net.Sockets;
using System.Text.Json;
using Cni.Daemon.Configuration;
using Cni.Spec.Wire;

namespace Cni.Daemon.Status;

/// <summary><c>wincnid status [--json]</c>: asks the running daemon over its socket and prints what it says.</summary>
public static class StatusCommand
{
    public static async Task<int> RunAsync(
        string? socket,
        string? configFile,
        bool json,
        TextWriter stdout,
        TextWriter stderr,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        string socketPath;
        try
        {
            socketPath = socket ?? (configFile is null ? DaemonProtocol.DefaultSocketPath : NodeConfigLoader.LoadFile(configFile).Socket);
        }
        catch (NodeConfigException e)
        {
            await stderr.WriteLineAsync(e.Message).ConfigureAwait(false);
            return 2;
        }

        string body;
        try
        {
            body = await FetchAsync(socketPath, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            await stderr.WriteLineAsync($"wincnid status: cannot reach the daemon on {socketPath}: {e.Message}").ConfigureAwait(false);
            return 1;
        }

        if (json)
        {
            await stdout.WriteLineAsync(body).ConfigureAwait(false);
            return 0;
        }

        var document = JsonSerializer.Deserialize(body, StatusJsonContext.Default.StatusDocument)
            ?? throw new InvalidDataException("empty status document");
        await stdout.WriteAsync(StatusText.Render(document)).ConfigureAwait(false);
        return document.Ready ? 0 : 3;
    }

    private static async Task<string> FetchAsync(string socketPath, CancellationToken cancellationToken)
    {
        using var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, token) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), token).ConfigureAwait(false);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        using var client = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(15) };
        var uri = new Uri(string.Create(CultureInfo.InvariantCulture, $"http://{DaemonProtocol.HostHeader}{DaemonProtocol.StatusPath}"));
        using var response = await client.GetAsync(uri, cancellationToken).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
    }
}
