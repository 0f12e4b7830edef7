using Cni.Daemon.Hosting;
using Cni.Hcn.Memory;
using Cni.Node.Ipam;
using Cni.Node.Networks;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Cni.Daemon.Tests.EndToEnd;

/// <summary>
/// wincnid hosted in the test process (<see cref="DaemonHost.BuildAsync"/> + StartAsync) on a sandbox's socket and
/// port, with the memory emulator reachable for fault injection and call counts.
/// </summary>
internal sealed class InProcessDaemon : IAsyncDisposable
{
    private InProcessDaemon(WebApplication app, MemoryHcn hcn)
    {
        App = app;
        Hcn = hcn;
    }

    public WebApplication App { get; }

    public MemoryHcn Hcn { get; }

    public IIpamStore Ipam => App.Services.GetRequiredService<IIpamStore>();

    public PodNetwork Network => App.Services.GetRequiredService<PodNetwork>();

    /// <summary>
    /// Builds and starts; <paramref name="beforeStart"/> sees the emulator before the network is created,
    /// <paramref name="configureLogging"/> adds to the host's logging.
    /// </summary>
    public static async Task<InProcessDaemon> StartAsync(
        Sandbox sandbox,
        Action<MemoryHcn>? beforeStart = null,
        bool waitReady = true,
        Action<ILoggingBuilder>? configureLogging = null)
    {
        MemoryHcn? emulator = null;
        var settings = new RunSettings
        {
            ConfigFile = sandbox.ConfigFile,
            Dataplane = DataplaneKind.Memory,
            MemoryDataplaneOpened = opened => emulator = opened,
        };
        var app = await DaemonHost.BuildAsync(settings, configureLogging, CancellationToken.None).ConfigureAwait(false);
        var daemon = new InProcessDaemon(app, emulator ?? throw new InvalidOperationException("the memory dataplane was not opened"));
        try
        {
            beforeStart?.Invoke(daemon.Hcn);
            await app.StartAsync().ConfigureAwait(false);
            if (waitReady)
            {
                await daemon.WaitReadyAsync().ConfigureAwait(false);
            }

            return daemon;
        }
        catch
        {
            await daemon.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public async Task WaitReadyAsync()
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!Network.IsReady)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("in-process wincnid not ready within 60 s: " + Network.NotReadyReason);
            }

            await Task.Delay(50).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await App.StopAsync().ConfigureAwait(false);
        }
        finally
        {
            await App.DisposeAsync().ConfigureAwait(false);
        }
    }
}
