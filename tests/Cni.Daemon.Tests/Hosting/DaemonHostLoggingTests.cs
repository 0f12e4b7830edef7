using Cni.Daemon.Tests.EndToEnd;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace Cni.Daemon.Tests.Hosting;

/// <summary>Long-lived components log through the host's logging (its providers and filters) for their whole life.</summary>
[TestFixture]
[NonParallelizable]
public sealed class DaemonHostLoggingTests
{
    [Test]
    public async Task Ipam_AddAfterStart_LogsThroughTheHostsLogging()
    {
        using var sandbox = new Sandbox();
        File.WriteAllText(sandbox.ConfigFile, $"""
            mode: l2bridge
            networkName: {Sandbox.NetworkName}
            clusterCIDRs: [10.244.0.0/16]
            serviceCIDRs: [10.96.0.0/12]
            podCIDRs: [{Sandbox.PodCidr}]
            nodeIP: 192.0.2.10
            stateDir: {sandbox.StateDir}
            socket: {sandbox.Socket}
            healthAddress: {sandbox.HealthAddress}
            log:
              level: information
            """);
        using var captured = new FakeLoggerProvider();
        await using (var daemon = await InProcessDaemon.StartAsync(sandbox, configureLogging: logging => logging.AddProvider(captured)))
        {
            Assert.That((await new Wincni(sandbox).AddAsync("logged")).ExitCode, Is.Zero);
        }

        Assert.That(captured.Collector.GetSnapshot().Select(r => r.Category), Does.Contain("Cni.Daemon.Hosting.CniEndpoint"), "the provider is the host's");
        var ipam = captured.Collector.GetSnapshot().Where(r => r.Category?.StartsWith("Cni.Node.Ipam", StringComparison.Ordinal) == true).ToList();
        Assert.That(ipam.Select(r => r.Id.Id), Does.Contain(4006), "Opened IPAM state, at start-up");
        Assert.That(ipam.Select(r => r.Id.Id), Does.Contain(4001), "Allocated, on the ADD after start-up");
    }
}
