using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.Versioning;

namespace Cni.E2E.Harness;

/// <summary>
/// A client that opens a new TCP connection every <c>interval</c> from a namespace to one address (each one greets,
/// so the backend that took it is known), whatever the previous ones are doing, until stopped; every attempt is kept.
/// </summary>
[SupportedOSPlatform("linux")]
internal sealed class ConnectionLoad
{
    private readonly ConcurrentQueue<Task<Reply>> _attempts = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    private ConnectionLoad(string netns, string address, int port, TimeSpan interval, TimeSpan timeout)
    {
        _loop = Task.Run(async () =>
        {
            var clock = Stopwatch.StartNew();
            for (long tick = 0; !_stop.IsCancellationRequested; tick++)
            {
                _attempts.Enqueue(NetnsClient.HelloAsync(netns, address, port, timeout, CancellationToken.None));

                // Fixed cadence: the next attempt is due at tick × interval, however long this one takes.
                var due = interval * (tick + 1) - clock.Elapsed;
                if (due > TimeSpan.Zero)
                {
                    try
                    {
                        await Task.Delay(due, _stop.Token);
                    }
                    catch (OperationCanceledException)
                    {
                        return;
                    }
                }
            }
        });
    }

    /// <summary>Starts opening connections.</summary>
    public static ConnectionLoad Start(string netns, string address, int port, TimeSpan interval, TimeSpan timeout) =>
        new(netns, address, port, interval, timeout);

    /// <summary>Stops and returns every attempt, in the order they started, once all have finished.</summary>
    public async Task<IReadOnlyList<Reply>> StopAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
        return await Task.WhenAll(_attempts);
    }
}
