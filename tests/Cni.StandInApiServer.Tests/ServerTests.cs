namespace Cni.StandInApiServer.Tests;

/// <summary>Base of the fixtures that talk to a fresh stand-in server per test.</summary>
public abstract class ServerTests
{
    private ServerHarness? _harness;

    /// <summary>The server of the running test.</summary>
    internal ServerHarness Harness => _harness ?? throw new InvalidOperationException("no server: SetUp has not run");

    [SetUp]
    public async Task StartServerAsync() => _harness = await ServerHarness.StartAsync();

    [TearDown]
    public async Task StopServerAsync()
    {
        if (_harness is not null)
        {
            await _harness.DisposeAsync();
            _harness = null;
        }
    }
}
