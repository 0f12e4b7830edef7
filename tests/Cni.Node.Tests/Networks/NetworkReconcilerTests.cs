using Cni.Hcn.Errors;
using Cni.Hcn.Memory;
using Cni.Node.Networks;
using Cni.Node.Tests.Pods;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cni.Node.Tests.Networks;

public sealed class NetworkReconcilerTests
{
    [Test]
    [CancelAfter(30_000)]
    public async Task ExecuteAsync_CreateFailsTwice_RetriedUntilReady(CancellationToken cancellationToken)
    {
        var hcn = new MemoryHcn();
        hcn.FailNext(MemoryHcnOperation.CreateNetwork, 2, HcnErrorCodes.RpcServerUnavailable);
        await using var node = await NodeHarness.CreateAsync(hcn: hcn, ensure: false);
        using var reconciler = new NetworkReconciler(node.Network, TimeProvider.System, NullLogger<NetworkReconciler>.Instance);

        await reconciler.StartAsync(cancellationToken);
        while (!node.Network.IsReady)
        {
            await Task.Delay(20, cancellationToken);
        }

        await reconciler.StopAsync(cancellationToken);
        Assert.That(hcn.GetCallCount(MemoryHcnOperation.CreateNetwork), Is.EqualTo(3));
    }
}
