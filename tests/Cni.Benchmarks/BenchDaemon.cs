using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Cni.Benchmarks;

/// <summary>
/// The published wincnid as a child process on the memory dataplane, in a private /tmp/wcni-bench-XXXX directory
/// (state, socket, node config) with its own health port. Disposing kills it and removes the directory.
/// </summary>
internal sealed class BenchDaemon : IDisposable
{
    private readonly Process _process;

    private BenchDaemon(Process process, string directory, string socketPath, int healthPort)
    {
        _process = process;
        Directory = directory;
        SocketPath = socketPath;
        HealthPort = healthPort;
    }

    public string Directory { get; }

    public string SocketPath { get; }

    public int HealthPort { get; }

    public static async Task<BenchDaemon> StartAsync(string wincnid, string networkName, string podCidr)
    {
        var directory = System.IO.Directory.CreateTempSubdirectory("wcni-bench-").FullName;
        var socketPath = Path.Combine(directory, "run", "d.sock");
        int port;
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        var config = Path.Combine(directory, "node.yaml");
        File.WriteAllText(config, string.Create(CultureInfo.InvariantCulture, $"""
            mode: l2bridge
            networkName: {networkName}
            clusterCIDRs: [10.244.0.0/16]
            serviceCIDRs: [10.96.0.0/12]
            podCIDRs: [{podCidr}]
            nodeIP: 192.0.2.10
            stateDir: {Path.Combine(directory, "state")}
            socket: {socketPath}
            healthAddress: 127.0.0.1:{port}
            ipQuarantineSeconds: 0
            log:
              level: warning
            """));
        var startInfo = new ProcessStartInfo(wincnid)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "run", "--config", config, "--dataplane", "memory" })
        {
            startInfo.ArgumentList.Add(argument);
        }

        var process = Process.Start(startInfo) ?? throw new InvalidOperationException($"cannot start {wincnid}");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var daemon = new BenchDaemon(process, directory, socketPath, port);
        try
        {
            await daemon.WaitReadyAsync().ConfigureAwait(false);
            return daemon;
        }
        catch
        {
            daemon.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill();
                _process.WaitForExit();
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }

        _process.Dispose();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: /tmp is cleaned eventually.
        }
    }

    private async Task WaitReadyAsync()
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var uri = new Uri(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{HealthPort}/readyz"));
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(90))
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"wincnid exited with {_process.ExitCode} before it was ready");
            }

            try
            {
                using var response = await client.GetAsync(uri).ConfigureAwait(false);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // Not listening yet.
            }

            await Task.Delay(100).ConfigureAwait(false);
        }

        throw new TimeoutException("wincnid was not ready within 90 s");
    }
}
