using Cni.Hcn.Model;
using Cni.Node.Networks;
using Cni.Node.Pods;

namespace Cni.Node.Tests.Pods;

public sealed class CniCommandHandlerGcTests
{
    [Test]
    public async Task HandleAsync_Gc_KeepsValidRemovesOthersOfThisNetwork()
    {
        await using var node = await NodeHarness.CreateAsync();
        foreach (var id in new[] { "keep1", "keep2", "drop1", "drop2" })
        {
            NodeHarness.Result(await node.AddAsync(id, (await node.NewNamespaceAsync()).ToString()));
        }

        var outcome = await node.GcAsync("""[{"containerID":"keep1","ifname":"eth0"},{"containerID":"keep2","ifname":"eth0"}]""");

        Assert.That(outcome.IsSuccess, Is.True, () => outcome.Error!.Msg);
        Assert.That((await node.LeasesAsync()).Select(l => l.Key.ContainerId).Order(), Is.EqualTo(new[] { "keep1", "keep2" }));
        Assert.That((await node.EndpointsAsync()).Select(e => e.Name).Order(), Is.EqualTo(new[]
        {
            EndpointNames.For(NodeHarness.NetworkName, "keep1", "eth0"),
            EndpointNames.For(NodeHarness.NetworkName, "keep2", "eth0"),
        }));
    }

    [Test]
    public async Task HandleAsync_GcWithoutList_NoOp()
    {
        await using var node = await NodeHarness.CreateAsync();
        NodeHarness.Result(await node.AddAsync("c1", (await node.NewNamespaceAsync()).ToString()));
        node.Hcn.ResetCallCounts();

        var outcome = await node.GcAsync(null);

        Assert.That(outcome.IsSuccess, Is.True);
        Assert.That(node.Hcn.TotalCallCount, Is.Zero);
        Assert.That(await node.LeasesAsync(), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task HandleAsync_GcEmptyList_RemovesEverythingOfThisNetworkOnly()
    {
        await using var node = await NodeHarness.CreateAsync();
        NodeHarness.Result(await node.AddAsync("c1", (await node.NewNamespaceAsync()).ToString()));
        var ours = node.Network.NetworkId!.Value;
        var foreign = await node.Hcn.CreateEndpointAsync(ours, new HostComputeEndpoint { Name = "source_vip", IpConfigurations = [new IpConfig { IpAddress = "10.244.1.254", PrefixLength = 24 }] }, CancellationToken.None);
        var otherNetwork = await node.Hcn.CreateNetworkAsync(
            new HostComputeNetwork
            {
                Name = "other",
                Type = NetworkType.L2Bridge,
                Ipams = [new Hcn.Model.Ipam { Type = IpamType.Static, Subnets = [new Subnet { IpAddressPrefix = "10.9.0.0/24", Routes = [new Route { NextHop = "10.9.0.1", DestinationPrefix = "0.0.0.0/0" }] }] }],
            },
            CancellationToken.None);
        var otherWincni = await node.Hcn.CreateEndpointAsync(otherNetwork.Id, new HostComputeEndpoint { Name = EndpointNames.For("other", "c9", "eth0"), IpConfigurations = [new IpConfig { IpAddress = "10.9.0.5", PrefixLength = 24 }] }, CancellationToken.None);

        var outcome = await node.GcAsync("[]");

        Assert.That(outcome.IsSuccess, Is.True);
        Assert.That(await node.LeasesAsync(), Is.Empty);
        Assert.That((await node.EndpointsAsync()).Select(e => e.Id).Order(), Is.EqualTo(new[] { foreign.Id, otherWincni.Id }.Order()));
    }

    [Test]
    public async Task HandleAsync_GcForeignNetworkName_NoOp()
    {
        await using var node = await NodeHarness.CreateAsync();
        NodeHarness.Result(await node.AddAsync("c1", (await node.NewNamespaceAsync()).ToString()));

        var outcome = await node.HandleAsync(
            NodeHarness.Request("GC", NodeHarness.Config(members: "\"cni.dev/valid-attachments\":[]", name: "other")), CancellationToken.None);

        Assert.That(outcome.IsSuccess, Is.True);
        Assert.That(await node.LeasesAsync(), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task HandleAsync_GcOldAttachmentsKey_Honoured()
    {
        await using var node = await NodeHarness.CreateAsync();
        NodeHarness.Result(await node.AddAsync("keep", (await node.NewNamespaceAsync()).ToString()));
        NodeHarness.Result(await node.AddAsync("drop", (await node.NewNamespaceAsync()).ToString()));

        var outcome = await node.HandleAsync(
            NodeHarness.Request("GC", NodeHarness.Config(members: """ "cni.dev/attachments":[{"containerID":"keep","ifname":"eth0"}] """)), CancellationToken.None);

        Assert.That(outcome.IsSuccess, Is.True);
        Assert.That((await node.LeasesAsync()).Select(l => l.Key.ContainerId), Is.EqualTo(new[] { "keep" }));
    }

    [Test]
    public async Task HandleAsync_GcEndpointDeleteFails_KeepsItsLeaseReportsError()
    {
        await using var node = await NodeHarness.CreateAsync();
        NodeHarness.Result(await node.AddAsync("a", (await node.NewNamespaceAsync()).ToString()));
        NodeHarness.Result(await node.AddAsync("b", (await node.NewNamespaceAsync()).ToString()));
        node.Hcn.FailNext(Hcn.Memory.MemoryHcnOperation.DeleteEndpoint, 1, Hcn.Errors.HcnErrorCodes.Fail);

        var outcome = await node.GcAsync("[]");

        Assert.That(outcome.Error!.Code, Is.EqualTo(Spec.CniErrorCode.Internal));
        Assert.That(outcome.Error.Msg, Does.StartWith("GC finished with 1 error(s)"));
        Assert.That(await node.LeasesAsync(), Has.Count.EqualTo(1));
        Assert.That(await node.EndpointsAsync(), Has.Count.EqualTo(1));
        Assert.That((await node.EndpointsAsync())[0].Name, Does.EndWith((await node.LeasesAsync())[0].Key.ContainerId + "_eth0"));
    }
}
