using Cni.Hcn.Memory;

namespace Cni.Node.Tests.Pods;

public sealed class CniCommandHandlerConcurrencyTests
{
    [Test]
    public async Task HandleAsync_200ConcurrentAddsOfDistinctContainers_AllSucceedWithDistinctIps()
    {
        await using var node = await NodeHarness.CreateAsync();

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 200).Select(i => Task.Run(() => node.AddAsync($"c{i:D3}", $"/var/run/netns/p{i}"))));

        Assert.That(outcomes.Where(o => !o.IsSuccess).Select(o => o.Error!.Msg), Is.Empty);
        var addresses = outcomes.Select(o => NodeHarness.Result(o).Parsed.Ips.Single().Address.ToString()).ToList();
        Assert.That(addresses.Distinct().Count(), Is.EqualTo(200));
        Assert.That(await node.EndpointsAsync(), Has.Count.EqualTo(200));
        Assert.That(await node.LeasesAsync(), Has.Count.EqualTo(200));
        Assert.That(node.Hcn.GetCallCount(MemoryHcnOperation.CreateEndpoint), Is.EqualTo(200));
        Assert.That(node.Locks.ActiveKeys, Is.Zero);
    }

    [Test]
    public async Task HandleAsync_ConcurrentAddsOfTheSameContainer_OneEndpointSameResult()
    {
        await using var node = await NodeHarness.CreateAsync();
        var ns = (await node.NewNamespaceAsync()).ToString();

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => Task.Run(() => node.AddAsync("same", ns))));

        Assert.That(outcomes.Select(o => NodeHarness.Result(o).Text).Distinct().Count(), Is.EqualTo(1));
        Assert.That(await node.EndpointsAsync(), Has.Count.EqualTo(1));
        Assert.That(node.Hcn.GetCallCount(MemoryHcnOperation.CreateEndpoint), Is.EqualTo(1));
    }

    [Test]
    public async Task HandleAsync_ConcurrentAddAndDelOfTheSameKey_Serialized()
    {
        await using var node = await NodeHarness.CreateAsync();
        node.Hcn.SetLatency(MemoryHcnOperation.CreateEndpoint, TimeSpan.FromMilliseconds(5));

        for (var i = 0; i < 20; i++)
        {
            var id = $"race{i}";
            var netns = $"/var/run/netns/r{i}";
            var add = Task.Run(() => node.AddAsync(id, netns));
            var del = Task.Run(() => node.DelAsync(id, netns));
            var results = await Task.WhenAll(add, del);

            Assert.That(results[1].IsSuccess, Is.True);
            var hasLease = (await node.LeasesAsync()).Any(l => l.Key.ContainerId == id);
            var hasEndpoint = (await node.EndpointsAsync()).Any(e => e.Name!.EndsWith("_" + id + "_eth0", StringComparison.Ordinal));

            // Either DEL ran last (nothing left) or ADD did (both left): never one without the other.
            Assert.That(hasEndpoint, Is.EqualTo(hasLease), $"iteration {i}");
            Assert.That(hasLease, Is.EqualTo(results[0].IsSuccess && hasLease));
        }
    }

    [Test]
    public async Task HandleAsync_ReconcileDuringAdds_NeverFreesALiveAttachment()
    {
        await using var node = await NodeHarness.CreateAsync();
        node.Hcn.SetLatency(MemoryHcnOperation.CreateEndpoint, TimeSpan.FromMilliseconds(2));

        var adds = Task.WhenAll(Enumerable.Range(0, 30).Select(i => Task.Run(() => node.AddAsync($"c{i}", $"/var/run/netns/p{i}"))));
        var reconciles = Task.Run(async () =>
        {
            for (var i = 0; i < 10; i++)
            {
                await node.Network.ReconcileAsync(CancellationToken.None);
            }
        });
        await Task.WhenAll(adds, reconciles);

        Assert.That((await adds).All(o => o.IsSuccess), Is.True);
        Assert.That(await node.LeasesAsync(), Has.Count.EqualTo(30));
        Assert.That(await node.EndpointsAsync(), Has.Count.EqualTo(30));
    }
}
