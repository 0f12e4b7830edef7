using System.Net.Sockets;
using System.Text.Json;

namespace Cni.LocalCluster.Support;

/// <summary>GET /v1/status over the daemon's socket (what <c>wincnid status --json</c> prints), without a process per poll.</summary>
public static class DaemonClient
{
    public static async Task<JsonDocument?> TryStatusAsync(string socket, CancellationToken cancellationToken)
    {
        using var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, token) =>
            {
                var connection = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await connection.ConnectAsync(new UnixDomainSocketEndPoint(socket), token).ConfigureAwait(false);
                    return new NetworkStream(connection, ownsSocket: true);
                }
                catch
                {
                    connection.Dispose();
                    throw;
                }
            },
        };
        using var client = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(10) };
        try
        {
            using var response = await client.GetAsync(new Uri("http://wincnid/v1/status"), cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                return null;
            }

            return JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false));
        }
        catch (Exception ex) when (ex is HttpRequestException or SocketException or JsonException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }

    /// <summary>
    /// Waits until the wincnid <paramref name="daemon"/> answers on <paramref name="socket"/> with ready:true; fails with
    /// its log when it exits or <paramref name="timeout"/> passes.
    /// </summary>
    public static async Task WaitUntilReadyAsync(System.Diagnostics.Process daemon, string socket, string where, Func<string> log, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(daemon);
        ArgumentNullException.ThrowIfNull(log);
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (daemon.HasExited)
            {
                throw new InvalidOperationException($"wincnid {where} exited with {daemon.ExitCode} at start-up:\n{log()}");
            }

            if (File.Exists(socket) && await TryStatusAsync(socket, cancellationToken).ConfigureAwait(false) is { } status)
            {
                using (status)
                {
                    if (status.RootElement.GetProperty("ready").GetBoolean())
                    {
                        return;
                    }
                }
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"wincnid {where} did not become ready within {timeout.TotalSeconds:0} s:\n{log()}");
            }

            await Task.Delay(100, cancellationToken).ConfigureAwait(false);
        }
    }
}
