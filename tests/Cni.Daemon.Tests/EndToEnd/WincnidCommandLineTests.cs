namespace Cni.Daemon.Tests.EndToEnd;

/// <summary>The published <c>wincnid</c> as a child process: start-up validation, <c>status</c>, restart.</summary>
[TestFixture]
[NonParallelizable]
public sealed class WincnidCommandLineTests
{
    private static readonly TimeSpan ExitTimeout = TimeSpan.FromSeconds(60);

    private Sandbox _sandbox = null!;

    [SetUp]
    public void CreateSandbox() => _sandbox = new Sandbox();

    [TearDown]
    public void DeleteSandbox() => _sandbox.Dispose();

    [Test]
    public async Task Run_MisspelledConfigKey_ExitCode2NamingTheKey()
    {
        await File.WriteAllTextAsync(_sandbox.ConfigFile, $"mode: l2bridge\npodCidrs: [10.244.1.0/24]\nstateDir: {_sandbox.StateDir}\nsocket: {_sandbox.Socket}\n");

        var (exit, output) = await WincnidProcess.RunToEndAsync(ExitTimeout, "run", "--config", _sandbox.ConfigFile, "--dataplane", "memory");

        Assert.That(exit, Is.EqualTo(2), output);
        Assert.That(output, Does.Contain("podCidrs").And.Contain("podCIDRs").And.Contain(_sandbox.ConfigFile));
    }

    [Test]
    public async Task Run_BadValue_ExitCode2NamingTheKeyAndValue()
    {
        _sandbox.WriteConfig("mtu: 99999");

        var (exit, output) = await WincnidProcess.RunToEndAsync(ExitTimeout, "run", "--config", _sandbox.ConfigFile, "--dataplane", "memory");

        Assert.That(exit, Is.EqualTo(2), output);
        Assert.That(output, Does.Contain("mtu").And.Contain("99999"));
    }

    [Test]
    public async Task Run_UnknownDataplane_UsageErrorNamingOptionAndValue()
    {
        var (exit, output) = await WincnidProcess.RunToEndAsync(ExitTimeout, "run", "--config", _sandbox.ConfigFile, "--dataplane", "bogus");

        Assert.That(exit, Is.Not.Zero, output);
        Assert.That(output, Does.Contain("bogus").And.Contain("--dataplane"));
        Assert.That(Directory.Exists(_sandbox.StateDir), Is.False, "nothing was started");
    }

    [Test]
    public async Task Run_SecondDaemonOnTheSameSocket_RefusesWithExit2AndFirstKeepsServing()
    {
        using var first = await WincnidProcess.StartReadyAsync(_sandbox);
        using var other = new Sandbox();
        await File.WriteAllTextAsync(other.ConfigFile, (await File.ReadAllTextAsync(_sandbox.ConfigFile))
            .Replace(_sandbox.StateDir, other.StateDir, StringComparison.Ordinal)
            .Replace(_sandbox.HealthAddress, other.HealthAddress, StringComparison.Ordinal));

        var (exit, output) = await WincnidProcess.RunToEndAsync(ExitTimeout, "run", "--config", other.ConfigFile, "--dataplane", "memory");

        Assert.That(exit, Is.EqualTo(2), output);
        Assert.That(output, Does.Contain("another wincnid is already listening on " + _sandbox.Socket));
        Assert.That((await new Wincni(_sandbox).StatusAsync()).ExitCode, Is.Zero, "the first daemon still serves");
    }

    [Test]
    public async Task Run_SecondDaemonOnTheSameStateDir_RefusesWithExit2()
    {
        using var first = await WincnidProcess.StartReadyAsync(_sandbox);

        // Its own socket and health port, so the state directory is the only thing the two share.
        using var other = new Sandbox();
        var (exit, output) = await WincnidProcess.RunToEndAsync(
            ExitTimeout, "run", "--config", _sandbox.ConfigFile, "--dataplane", "memory", "--socket", Path.Combine(_sandbox.Root, "other.sock"), "--health-address", other.HealthAddress);

        Assert.That(exit, Is.EqualTo(2), output);
        Assert.That(output, Does.Contain(_sandbox.StateDir).And.Contain("in use"));
    }

    [Test]
    public async Task Status_Json_ListsTheLeaseAndItsEndpoint()
    {
        using var daemon = await WincnidProcess.StartReadyAsync(_sandbox);
        var add = await new Wincni(_sandbox).AddAsync("c0ffee");
        Assert.That(add.ExitCode, Is.Zero, add.Message);

        var (exit, output) = await WincnidProcess.RunToEndAsync(ExitTimeout, "status", "--json", "--socket", _sandbox.Socket);

        Assert.That(exit, Is.Zero, output);
        var status = DaemonStatus.Parse(output);
        Assert.Multiple(() =>
        {
            Assert.That(status.Ready, Is.True);
            Assert.That(status.LeaseIpByContainer["c0ffee"], Is.EqualTo(add.Ip));
            Assert.That(status.EndpointIpByName[DaemonStatus.EndpointName("c0ffee")], Is.EqualTo(add.Ip));
        });
    }

    [Test]
    public async Task Status_Text_ShowsReadyAndTheLease()
    {
        using var daemon = await WincnidProcess.StartReadyAsync(_sandbox);
        var add = await new Wincni(_sandbox).AddAsync("feed01");

        var (exit, output) = await WincnidProcess.RunToEndAsync(ExitTimeout, "status", "--config", _sandbox.ConfigFile);

        Assert.That(exit, Is.Zero, output);
        Assert.That(output, Does.Contain("ready:    yes").And.Contain("feed01").And.Contain(add.Ip));
    }

    [Test]
    public async Task Status_DaemonDown_Exit1NamingTheSocket()
    {
        var (exit, output) = await WincnidProcess.RunToEndAsync(ExitTimeout, "status", "--socket", _sandbox.Socket);

        Assert.That(exit, Is.EqualTo(1), output);
        Assert.That(output, Does.Contain(_sandbox.Socket));
    }

    [Test]
    public async Task Restart_GracefulStop_RunningPodsUndisturbed()
    {
        var wincni = new Wincni(_sandbox);
        var ids = new[] { "r1", "r2", "r3" };
        var results = new Dictionary<string, PluginOutcome>();
        using (var first = await WincnidProcess.StartReadyAsync(_sandbox))
        {
            foreach (var id in ids)
            {
                results[id] = await wincni.AddAsync(id);
                Assert.That(results[id].ExitCode, Is.Zero, results[id].Message);
            }

            await first.StopAsync();
            Assert.That(first.HasExited, Is.True);
        }

        using var second = await WincnidProcess.StartReadyAsync(_sandbox);
        var status = await DaemonStatus.FetchAsync(_sandbox.Socket);

        foreach (var id in ids)
        {
            Assert.That(status.LeaseIpByContainer[id], Is.EqualTo(results[id].Ip));
            Assert.That(status.EndpointIpByName[DaemonStatus.EndpointName(id)], Is.EqualTo(results[id].Ip));
            var check = await wincni.CheckAsync(id, results[id].Stdout);
            Assert.That(check.ExitCode, Is.Zero, check.Message);
            var again = await wincni.AddAsync(id);
            Assert.That(again.Stdout, Is.EqualTo(results[id].Stdout), "a repeated ADD after the restart answers as before");
        }

        foreach (var id in ids)
        {
            Assert.That((await wincni.DelAsync(id)).ExitCode, Is.Zero);
        }

        var after = await DaemonStatus.FetchAsync(_sandbox.Socket);
        Assert.That(after.LeaseIpByContainer, Is.Empty);
        Assert.That(after.OwnedEndpointCount, Is.Zero);
    }
}
