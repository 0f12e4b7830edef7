using Cni.Hcn.Memory;
using Cni.Hcn.Model;
using Cni.Node.Dataplane;

namespace Cni.Node.Tests.Dataplane;

public sealed class BoundedHcnTests
{
    [Test]
    public async Task Calls_ManyConcurrent_NeverMoreThanTheBoundInFlight()
    {
        var inner = new MemoryHcn(new MemoryHcnOptions { Latency = TimeSpan.FromMilliseconds(5) });
        using var bounded = new BoundedHcn(inner, 2);
        var maxSeen = 0;
        using var done = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!done.IsCancellationRequested)
            {
                maxSeen = Math.Max(maxSeen, bounded.CallsInFlight);
                await Task.Yield();
            }
        });

        await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => bounded.EnumerateNetworksAsync(HostComputeQuery.Default, CancellationToken.None)));
        await done.CancelAsync();
        await sampler;

        Assert.That(maxSeen, Is.InRange(0, 2));
        Assert.That(inner.GetCallCount(MemoryHcnOperation.EnumerateNetworks), Is.EqualTo(20));
        Assert.That(bounded.CallsInFlight, Is.Zero);
    }

    [Test]
    public async Task AttachHelper_GoesThroughTheBoundedModify()
    {
        var inner = new MemoryHcn();
        using var bounded = new BoundedHcn(inner, 1);
        var ns = await bounded.CreateNamespaceAsync(new HostComputeNamespace { Type = NamespaceType.Host }, CancellationToken.None);

        Assert.That(
            async () => await ((Cni.Hcn.IHcn)bounded).AddNamespaceEndpointAsync(ns.Id, Guid.NewGuid(), CancellationToken.None),
            Throws.TypeOf<Cni.Hcn.Errors.HcnException>());
        Assert.That(inner.GetCallCount(MemoryHcnOperation.ModifyNamespace), Is.EqualTo(1));
        Assert.That(bounded.CallsInFlight, Is.Zero);
    }

    [Test]
    public void Constructor_ZeroBound_Throws()
    {
        Assert.That(() => new BoundedHcn(new MemoryHcn(), 0), Throws.InstanceOf<ArgumentOutOfRangeException>());
    }
}
