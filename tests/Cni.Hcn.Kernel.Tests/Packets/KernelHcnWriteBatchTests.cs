using Cni.Hcn.Kernel.Naming;
using Cni.Hcn.Kernel.Nftables;
using Cni.Hcn.Kernel.Tests.Support;
using Cni.Hcn.Model;
using Cni.Hcn.Model.Policies;

namespace Cni.Hcn.Kernel.Tests.Packets;

/// <summary>Write batches: the writes of one async flow reach nftables as one transaction, at the batch's commit.</summary>
[TestFixture]
[Category("Kernel")]
[NonParallelizable]
public sealed class KernelHcnWriteBatchTests
{
    private TestNetns _netns = null!;
    private string _node = null!;
    private string _state = null!;
    private KernelHcn _hcn = null!;
    private IHcn Hcn => _hcn;

    [SetUp]
    public void SetUp()
    {
        KernelTestGuard.Require();
        _netns = new TestNetns();
        _node = _netns.Create("wb-node");
        _state = Directory.CreateTempSubdirectory("wincni-kernel-wb-").FullName;
        _hcn = new KernelHcn(new KernelHcnOptions { StateDirectory = _state, HostNetnsPath = _node, NetnsNamePrefix = _netns.Prefix + "k-" });
    }

    [TearDown]
    public void TearDown()
    {
        _hcn?.Dispose();
        _netns?.Dispose();
        if (_state is not null)
        {
            Directory.Delete(_state, recursive: true);
        }
    }

    [Test]
    [CancelAfter(60_000)]
    public async Task BeginWriteBatch_CreatesModifyAndRemoteEndpoint_OneServicesTransactionAtCommit(CancellationToken cancellationToken)
    {
        var (network, local) = await NetworkAndEndpointAsync(cancellationToken);
        var first = await Hcn.CreateLoadBalancerAsync(LoadBalancer("10.96.2.1", local.Id), cancellationToken);
        var before = _hcn.ServicesTable;

        HostComputeLoadBalancer second;
        string held;
        ServicesTableCounters whileHeld;
        using (var batch = Hcn.BeginWriteBatch())
        {
            var remote = await Hcn.CreateEndpointAsync(network.Id, new HostComputeEndpoint
            {
                Name = "wb-remote",
                IpConfigurations = [new IpConfig { IpAddress = "10.203.1.30" }],
                Flags = EndpointFlags.RemoteEndpoint,
            }, cancellationToken);
            second = await Hcn.CreateLoadBalancerAsync(LoadBalancer("10.96.2.2", remote.Id), cancellationToken);
            await Hcn.ModifyLoadBalancerAsync(first.Id, first with { HostComputeEndpoints = [local.Id, remote.Id] }, cancellationToken);
            held = _netns.Nft("wb-node", $"list table ip {DeviceNames.ServicesTable}");
            whileHeld = _hcn.ServicesTable;

            await batch.CommitAsync(cancellationToken);
        }

        var after = _hcn.ServicesTable - before;
        var table = _netns.Nft("wb-node", $"list table ip {DeviceNames.ServicesTable}");
        Assert.That(whileHeld, Is.EqualTo(before), "nothing reached the kernel before the commit");
        Assert.That(held, Does.Not.Contain("10.96.2.2").And.Not.Contain("10.203.1.30"));
        Assert.That(after.Transactions, Is.EqualTo(1), "the three writes in one transaction");
        Assert.That(after.FullRenders, Is.Zero);
        Assert.That(table, Does.Contain("10.96.2.2").And.Contain("10.203.1.30 . 8080"));
        Assert.That((await Hcn.GetLoadBalancerAsync(second.Id, cancellationToken)).FrontendVips, Is.EqualTo(new[] { "10.96.2.2" }));
        Assert.That(_hcn.ServicesResyncs, Is.Zero);
    }

    [Test]
    [CancelAfter(60_000)]
    public async Task BeginWriteBatch_Disposed_LaterWritesAreRealWhenTheyReturn(CancellationToken cancellationToken)
    {
        var (_, local) = await NetworkAndEndpointAsync(cancellationToken);
        await Hcn.CreateLoadBalancerAsync(LoadBalancer("10.96.3.1", local.Id), cancellationToken);
        var batch = Hcn.BeginWriteBatch();
        batch.Dispose();

        await Hcn.CreateLoadBalancerAsync(LoadBalancer("10.96.3.2", local.Id), cancellationToken);

        Assert.That(_netns.Nft("wb-node", $"list table ip {DeviceNames.ServicesTable}"), Does.Contain("10.96.3.2"));
    }

    [Test]
    [CancelAfter(120_000)]
    public async Task BeginWriteBatch_MoreChangesThanItHolds_EarlierOnesCommittedAlongTheWay(CancellationToken cancellationToken)
    {
        var (_, local) = await NetworkAndEndpointAsync(cancellationToken);
        await Hcn.CreateLoadBalancerAsync(LoadBalancer("10.96.4.1", local.Id), cancellationToken);
        var before = _hcn.ServicesTable;
        var count = KernelHcn.MaxHeldChanges + 44;

        using var batch = Hcn.BeginWriteBatch();
        for (var i = 0; i < count; i++)
        {
            await Hcn.CreateLoadBalancerAsync(LoadBalancer($"10.97.{i / 200}.{(i % 200) + 1}", local.Id), cancellationToken);
        }

        var alongTheWay = _hcn.ServicesTable - before;
        await batch.CommitAsync(cancellationToken);
        var table = _netns.Nft("wb-node", $"list table ip {DeviceNames.ServicesTable}");

        // Back-pressure: never more than MaxHeldChanges wait for the kernel, so most went in commits during the batch.
        Assert.That(alongTheWay.Transactions, Is.GreaterThanOrEqualTo(1));
        Assert.That((_hcn.ServicesTable - before).Transactions, Is.EqualTo(alongTheWay.Transactions + 1));
        Assert.That(table, Does.Contain("10.97.0.1 ").And.Contain($"10.97.{(count - 1) / 200}.{((count - 1) % 200) + 1} "));
    }

    private static HostComputeLoadBalancer LoadBalancer(string vip, Guid backend) => new()
    {
        HostComputeEndpoints = [backend],
        FrontendVips = [vip],
        PortMappings = [new LoadBalancerPortMapping { Protocol = ProtocolType.Tcp, ExternalPort = 80, InternalPort = 8080 }],
    };

    private async Task<(HostComputeNetwork Network, HostComputeEndpoint Endpoint)> NetworkAndEndpointAsync(CancellationToken cancellationToken)
    {
        var network = await Hcn.CreateNetworkAsync(new HostComputeNetwork
        {
            Name = "wb-" + Guid.NewGuid().ToString("N")[..6],
            Type = NetworkType.L2Bridge,
            Ipams = [new Ipam { Subnets = [new Subnet { IpAddressPrefix = "10.203.1.0/24", Routes = [new Route { NextHop = "10.203.1.1", DestinationPrefix = "0.0.0.0/0" }] }] }],
        }, cancellationToken);
        var endpoint = await Hcn.CreateEndpointAsync(network.Id, new HostComputeEndpoint
        {
            Name = "wb-ep",
            IpConfigurations = [new IpConfig { IpAddress = "10.203.1.8", PrefixLength = 24 }],
        }, cancellationToken);
        return (network, endpoint);
    }
}
