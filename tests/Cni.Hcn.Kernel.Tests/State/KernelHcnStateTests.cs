using Cni.Hcn.Kernel.Tests.Support;
using Cni.Hcn.Memory;
using Cni.Hcn.Model;

namespace Cni.Hcn.Kernel.Tests.State;

/// <summary>What KernelHcn finds in its state directory at start-up.</summary>
[TestFixture]
[Category("Kernel")]
[NonParallelizable]
public sealed class KernelHcnStateTests
{
    private TestNetns _netns = null!;
    private string _node = null!;
    private string _state = null!;

    [SetUp]
    public void SetUp()
    {
        KernelTestGuard.Require();
        _netns = new TestNetns();
        _node = _netns.Create("st-node");
        _state = Directory.CreateTempSubdirectory("wincni-kernel-state-").FullName;
    }

    [TearDown]
    public void TearDown()
    {
        _netns?.Dispose();
        if (_state is not null)
        {
            Directory.Delete(_state, recursive: true);
        }
    }

    [Test]
    [CancelAfter(30_000)]
    public async Task Start_TempFilesLeftByAKillOrAFullDisk_AreDeletedAndTheObjectsKept(CancellationToken cancellationToken)
    {
        Guid networkId;
        using (var first = NewKernelHcn())
        {
            networkId = (await ((IHcn)first).CreateNetworkAsync(new HostComputeNetwork
            {
                Name = "st-" + Guid.NewGuid().ToString("N")[..6],
                Type = NetworkType.L2Bridge,
                Ipams = [new Ipam { Subnets = [new Subnet { IpAddressPrefix = "10.204.0.0/24", Routes = [new Route { NextHop = "10.204.0.1", DestinationPrefix = "0.0.0.0/0" }] }] }],
            }, cancellationToken)).Id;
        }

        // What an interrupted snapshot, an older version's per-object write and a disk that filled mid-write leave.
        var leftovers = new[]
        {
            Path.Combine(_state, MemoryHcnStore.FileName + ".tmp"),
            Path.Combine(_state, "endpoints", Guid.NewGuid().ToString("D") + ".json.tmp"),
            Path.Combine(_state, "netns.json.tmp"),
        };
        foreach (var file in leftovers)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            await File.WriteAllTextAsync(file, "{\"half\":", cancellationToken);
        }

        using var restarted = NewKernelHcn();
        var networks = await ((IHcn)restarted).EnumerateNetworksAsync(null, cancellationToken);

        Assert.That(networks.Select(n => n.Id), Is.EqualTo(new[] { networkId }));
        Assert.That(Directory.EnumerateFiles(_state, "*.tmp", SearchOption.AllDirectories), Is.Empty);
    }

    private KernelHcn NewKernelHcn() =>
        new(new KernelHcnOptions { StateDirectory = _state, HostNetnsPath = _node, NetnsNamePrefix = _netns.Prefix + "k-" });
}
