using Cni.Hcn.Kernel.Naming;
using Cni.Hcn.Kernel.Nftables;
using Cni.Hcn.Model;
using Cni.Hcn.Model.Policies;

namespace Cni.Hcn.Kernel.Tests.Packets;

/// <summary>Write batches: the writes of one async flow reach nftables as one transaction, at the batch's commit.</summary>
public sealed partial class KernelHcnLifecycleTests
{
    [Test]
    [CancelAfter(60_000)]
    public async Task BeginWriteBatch_CreatesModifyAndRemoteEndpoint_OneServicesTransactionAtCommit(CancellationToken cancellationToken)
    {
        var (network, local) = await NetworkAndEndpointAsync("10.203.0.8", cancellationToken);
        var first = await Hcn.CreateLoadBalancerAsync(BatchedLoadBalancer("10.96.2.1", local.Id), cancellationToken);
        var before = _hcn.ServicesTable;

        HostComputeLoadBalancer second;
        string held;
        ServicesTableCounters whileHeld;
        using (var batch = Hcn.BeginWriteBatch())
        {
            var remote = await Hcn.CreateEndpointAsync(network.Id, new HostComputeEndpoint
            {
                Name = "wb-remote",
                IpConfigurations = [new IpConfig { IpAddress = "10.203.0.30" }],
                Flags = EndpointFlags.RemoteEndpoint,
            }, cancellationToken);
            second = await Hcn.CreateLoadBalancerAsync(BatchedLoadBalancer("10.96.2.2", remote.Id), cancellationToken);
            await Hcn.ModifyLoadBalancerAsync(first.Id, first with { HostComputeEndpoints = [local.Id, remote.Id] }, cancellationToken);
            held = _netns.Nft("lc-node", $"list table ip {DeviceNames.ServicesTable}");
            whileHeld = _hcn.ServicesTable;

            await batch.CommitAsync(cancellationToken);
        }

        var after = _hcn.ServicesTable - before;
        var table = _netns.Nft("lc-node", $"list table ip {DeviceNames.ServicesTable}");
        Assert.That(whileHeld, Is.EqualTo(before), "nothing reached the kernel before the commit");
        Assert.That(held, Does.Not.Contain("10.96.2.2").And.Not.Contain("10.203.0.30"));
        Assert.That(after.Transactions, Is.EqualTo(1), "the three writes in one transaction");
        Assert.That(after.FullRenders, Is.Zero);
        Assert.That(table, Does.Contain("10.96.2.2").And.Contain("10.203.0.30 . 8080"));
        Assert.That((await Hcn.GetLoadBalancerAsync(second.Id, cancellationToken)).FrontendVips, Is.EqualTo(new[] { "10.96.2.2" }));
        Assert.That(_hcn.ServicesResyncs, Is.Zero);
    }

    [Test]
    [CancelAfter(60_000)]
    public async Task BeginWriteBatch_Disposed_LaterWritesAreRealWhenTheyReturn(CancellationToken cancellationToken)
    {
        var (_, local) = await NetworkAndEndpointAsync("10.203.0.8", cancellationToken);
        await Hcn.CreateLoadBalancerAsync(BatchedLoadBalancer("10.96.3.1", local.Id), cancellationToken);
        var batch = Hcn.BeginWriteBatch();
        batch.Dispose();

        await Hcn.CreateLoadBalancerAsync(BatchedLoadBalancer("10.96.3.2", local.Id), cancellationToken);

        Assert.That(_netns.Nft("lc-node", $"list table ip {DeviceNames.ServicesTable}"), Does.Contain("10.96.3.2"));
    }

    [Test]
    [CancelAfter(120_000)]
    public async Task BeginWriteBatch_MoreChangesThanItHolds_EarlierOnesCommittedAlongTheWay(CancellationToken cancellationToken)
    {
        var (_, local) = await NetworkAndEndpointAsync("10.203.0.8", cancellationToken);
        await Hcn.CreateLoadBalancerAsync(BatchedLoadBalancer("10.96.4.1", local.Id), cancellationToken);
        var before = _hcn.ServicesTable;
        var count = KernelHcn.MaxHeldChanges + 44;

        using var batch = Hcn.BeginWriteBatch();
        for (var i = 0; i < count; i++)
        {
            await Hcn.CreateLoadBalancerAsync(BatchedLoadBalancer($"10.97.{i / 200}.{(i % 200) + 1}", local.Id), cancellationToken);
        }

        var alongTheWay = _hcn.ServicesTable - before;
        await batch.CommitAsync(cancellationToken);
        var table = _netns.Nft("lc-node", $"list table ip {DeviceNames.ServicesTable}");

        // Back-pressure: never more than MaxHeldChanges wait for the kernel, so most went in commits during the batch.
        Assert.That(alongTheWay.Transactions, Is.GreaterThanOrEqualTo(1));
        Assert.That((_hcn.ServicesTable - before).Transactions, Is.EqualTo(alongTheWay.Transactions + 1));
        Assert.That(table, Does.Contain("10.97.0.1 ").And.Contain($"10.97.{(count - 1) / 200}.{((count - 1) % 200) + 1} "));
    }

    private static HostComputeLoadBalancer BatchedLoadBalancer(string vip, Guid backend) => new()
    {
        HostComputeEndpoints = [backend],
        FrontendVips = [vip],
        PortMappings = [new LoadBalancerPortMapping { Protocol = ProtocolType.Tcp, ExternalPort = 80, InternalPort = 8080 }],
    };
}
