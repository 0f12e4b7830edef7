using Cni.E2E.Harness;

namespace Cni.E2E;

/// <summary>Sweeps namespaces and scratch directories of dead earlier runs before, and of this run after, all tests.</summary>
[SetUpFixture]
public sealed class E2ESetUp
{
    [OneTimeSetUp]
    public async Task SweepDeadRunsAsync()
    {
        if (OperatingSystem.IsLinux() && E2EGuard.Which("ip") is not null)
        {
            await ClusterRun.SweepAsync(ownRunOnly: false, CancellationToken.None);
        }
    }

    [OneTimeTearDown]
    public async Task SweepThisRunAsync()
    {
        if (OperatingSystem.IsLinux() && E2EGuard.Which("ip") is not null)
        {
            await ClusterRun.SweepAsync(ownRunOnly: true, CancellationToken.None);
        }
    }
}
