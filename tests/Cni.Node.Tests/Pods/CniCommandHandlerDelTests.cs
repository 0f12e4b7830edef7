using Cni.Hcn.Errors;
using Cni.Hcn.Memory;
using Cni.Node.Ipam;
using Cni.Node.Pods;
using Cni.Spec;

namespace Cni.Node.Tests.Pods;

public sealed class CniCommandHandlerDelTests
{
    [Test]
    public async Task HandleAsync_DelAfterAdd_EndpointAndLeaseGoneNoOutput()
    {
        await using var node = await NodeHarness.CreateAsync();
        var ns = (await node.NewNamespaceAsync()).ToString();
        NodeHarness.Result(await node.AddAsync("c1", ns));

        var outcome = await node.DelAsync("c1", ns);

        Assert.That(outcome.IsSuccess, Is.True);
        Assert.That(outcome.Result, Is.Null);
        Assert.That(await node.EndpointsAsync(), Is.Empty);
        Assert.That(await node.LeasesAsync(), Is.Empty);
        Assert.That(node.Ipam.GetUsage().Single().Quarantined, Is.EqualTo(1));
    }

    [TestCase("/var/run/netns/cni-del-ns", MemoryHcnOperation.DeleteNamespace)]
    [TestCase("/var/run/netns/cni-del-ns", MemoryHcnOperation.GetNamespace)]
    [TestCase("", MemoryHcnOperation.DeleteNamespace)]
    [TestCase("", MemoryHcnOperation.GetNamespace)]
    public async Task HandleAsync_DelNamespaceReleaseFails_DelFailsAndRetryReleasesIt(string delNetns, MemoryHcnOperation step)
    {
        // ADD made an HCN namespace for the netns path; DEL (with CNI_NETNS, or without: containerd's, the lease knows
        // it) cannot release it. Answering success would leave it behind for good.
        await using var node = await NodeHarness.CreateAsync();
        NodeHarness.Result(await node.AddAsync("c1", "/var/run/netns/cni-del-ns"));
        node.Hcn.FailNext(step, 1, HcnErrorCodes.RpcServerUnavailable);

        var failed = await node.DelAsync("c1", delNetns);
        var retried = await node.DelAsync("c1", delNetns);

        Assert.That(failed.Error?.Code, Is.EqualTo(CniErrorCode.TryAgainLater));
        Assert.That(retried.IsSuccess, Is.True, () => retried.Error?.Msg ?? "");
        Assert.That(await node.EndpointsAsync(), Is.Empty);
        Assert.That(await node.LeasesAsync(), Is.Empty);
        Assert.That(await node.Hcn.EnumerateNamespacesAsync(null, CancellationToken.None), Is.Empty, "the namespace made for the netns path");
    }

    [Test]
    public async Task HandleAsync_DelAttachedEndpoint_DetachedFromItsNamespaceBeforeDeleted()
    {
        // windows-container-networking's DEL: RemoveNamespaceEndpoint, then HcnDeleteEndpoint (network/manager.go).
        await using var node = await NodeHarness.CreateAsync();
        var ns = await node.NewNamespaceAsync();
        NodeHarness.Result(await node.AddAsync("c1", ns.ToString()));
        node.Hcn.ResetCallCounts();

        var outcome = await node.DelAsync("c1", ns.ToString());

        Assert.That(outcome.IsSuccess, Is.True);
        Assert.That(node.Hcn.GetCallCount(MemoryHcnOperation.ModifyNamespace), Is.EqualTo(1));
        Assert.That(node.Hcn.GetCallCount(MemoryHcnOperation.DeleteEndpoint), Is.EqualTo(1));
        Assert.That((await node.Hcn.GetNamespaceAsync(ns, CancellationToken.None)).Resources ?? [], Is.Empty);
        Assert.That(await node.EndpointsAsync(), Is.Empty);
    }

    [TestCase(unchecked((int)0x80070490), TestName = "HandleAsync_DelDetachFails_StillDeletesAndReleases(namespace gone)")]
    [TestCase(unchecked((int)0x803B0034), TestName = "HandleAsync_DelDetachFails_StillDeletesAndReleases(not attached)")]
    public async Task HandleAsync_DelDetachFails_StillDeletesAndReleases(int hresult)
    {
        await using var node = await NodeHarness.CreateAsync();
        var ns = (await node.NewNamespaceAsync()).ToString();
        NodeHarness.Result(await node.AddAsync("c1", ns));
        node.Hcn.FailNext(MemoryHcnOperation.ModifyNamespace, 1, hresult);

        var outcome = await node.DelAsync("c1", ns);

        Assert.That(outcome.IsSuccess, Is.True, () => outcome.Error?.Msg ?? "");
        Assert.That(await node.EndpointsAsync(), Is.Empty);
        Assert.That(await node.LeasesAsync(), Is.Empty);
    }

    [Test]
    public async Task HandleAsync_DelTwice_BothSucceed()
    {
        await using var node = await NodeHarness.CreateAsync();
        var ns = (await node.NewNamespaceAsync()).ToString();
        NodeHarness.Result(await node.AddAsync("c1", ns));

        var first = await node.DelAsync("c1", ns);
        var second = await node.DelAsync("c1", ns);

        Assert.That(first.IsSuccess && second.IsSuccess, Is.True);
    }

    [TestCase("")]
    [TestCase("/var/run/netns/never")]
    public async Task HandleAsync_DelNeverAdded_Succeeds(string netns)
    {
        await using var node = await NodeHarness.CreateAsync();

        var outcome = await node.DelAsync("never", netns, version: "0.3.1");

        Assert.That(outcome.IsSuccess, Is.True);
    }

    [Test]
    public async Task HandleAsync_DelEndpointAlreadyGone_ReleasesLease()
    {
        await using var node = await NodeHarness.CreateAsync();
        var ns = (await node.NewNamespaceAsync()).ToString();
        NodeHarness.Result(await node.AddAsync("c1", ns));
        await node.Hcn.DeleteEndpointAsync((await node.EndpointsAsync()).Single().Id, CancellationToken.None);

        var outcome = await node.DelAsync("c1", ns);

        Assert.That(outcome.IsSuccess, Is.True);
        Assert.That(await node.LeasesAsync(), Is.Empty);
    }

    [Test]
    public async Task HandleAsync_DelLeaseAlreadyGone_DeletesEndpoint()
    {
        await using var node = await NodeHarness.CreateAsync();
        var ns = (await node.NewNamespaceAsync()).ToString();
        NodeHarness.Result(await node.AddAsync("c1", ns));
        await node.Ipam.ReleaseAsync(new LeaseKey("c1", "eth0"), CancellationToken.None);

        var outcome = await node.DelAsync("c1", ns);

        Assert.That(outcome.IsSuccess, Is.True);
        Assert.That(await node.EndpointsAsync(), Is.Empty);
    }

    [Test]
    public async Task HandleAsync_DelNamespaceAlreadyGone_Succeeds()
    {
        await using var node = await NodeHarness.CreateAsync();
        var ns = await node.NewNamespaceAsync();
        NodeHarness.Result(await node.AddAsync("c1", ns.ToString()));
        await node.Hcn.DeleteNamespaceAsync(ns, CancellationToken.None);

        var outcome = await node.DelAsync("c1", ns.ToString());

        Assert.That(outcome.IsSuccess, Is.True);
        Assert.That(await node.EndpointsAsync(), Is.Empty);
        Assert.That(await node.LeasesAsync(), Is.Empty);
    }

    [Test]
    public async Task HandleAsync_DelEndpointDeleteFails_ErrorAndLeaseKept()
    {
        await using var node = await NodeHarness.CreateAsync();
        var ns = (await node.NewNamespaceAsync()).ToString();
        NodeHarness.Result(await node.AddAsync("c1", ns));
        node.Hcn.FailNext(MemoryHcnOperation.DeleteEndpoint, 1, HcnErrorCodes.EntityHasReferences);

        var failed = await node.DelAsync("c1", ns);
        var retried = await node.DelAsync("c1", ns);

        Assert.That(failed.Error!.Code, Is.EqualTo(CniErrorCode.Internal));
        Assert.That(failed.Error.Details, Does.Contain("0x803B002C"));
        Assert.That(retried.IsSuccess, Is.True);
        Assert.That(await node.LeasesAsync(), Is.Empty);
    }

    [Test]
    public async Task HandleAsync_DelFailureBeforeRelease_LeaseStillHeld()
    {
        await using var node = await NodeHarness.CreateAsync();
        var ns = (await node.NewNamespaceAsync()).ToString();
        NodeHarness.Result(await node.AddAsync("c1", ns));
        node.Hcn.FailNext(MemoryHcnOperation.DeleteEndpoint, 1, HcnErrorCodes.Fail);

        await node.DelAsync("c1", ns);

        Assert.That(await node.LeasesAsync(), Has.Count.EqualTo(1));
        Assert.That(await node.EndpointsAsync(), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task HandleAsync_DelNetnsPath_RemovesTheNamespaceItCreated()
    {
        await using var node = await NodeHarness.CreateAsync();
        NodeHarness.Result(await node.AddAsync("c1", "/var/run/netns/x"));

        await node.DelAsync("c1", "/var/run/netns/x");

        Assert.That(await node.Hcn.EnumerateNamespacesAsync(null, CancellationToken.None), Is.Empty);
    }

    [Test]
    public async Task HandleAsync_DelForeignNetworkName_SucceedsWithoutTouchingAnything()
    {
        await using var node = await NodeHarness.CreateAsync();
        var ns = (await node.NewNamespaceAsync()).ToString();
        NodeHarness.Result(await node.AddAsync("c1", ns));
        node.Hcn.ResetCallCounts();

        var outcome = await node.HandleAsync(NodeHarness.Request("DEL", NodeHarness.Config(name: "other"), "c1", ns, "eth0"), CancellationToken.None);

        Assert.That(outcome.IsSuccess, Is.True);
        Assert.That(node.Hcn.TotalCallCount, Is.Zero);
        Assert.That(await node.LeasesAsync(), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task HandleAsync_DelWhileNotReady_StillCleansUp()
    {
        await using var node = await NodeHarness.CreateAsync();
        var ns = (await node.NewNamespaceAsync()).ToString();
        NodeHarness.Result(await node.AddAsync("c1", ns));
        node.Network.ReportNetworkMissing("test");

        var outcome = await node.DelAsync("c1", ns);

        Assert.That(outcome.IsSuccess, Is.True);
        Assert.That(await node.LeasesAsync(), Is.Empty);
        Assert.That(await node.EndpointsAsync(), Is.Empty);
    }

    [Test]
    public async Task HandleAsync_DelCancelledWhileDeletingEndpoint_CancellationNamesTheStepAndLeaseKept()
    {
        await using var node = await NodeHarness.CreateAsync();
        var ns = (await node.NewNamespaceAsync()).ToString();
        NodeHarness.Result(await node.AddAsync("c1", ns));
        node.Hcn.SetLatency(MemoryHcnOperation.DeleteEndpoint, TimeSpan.FromMinutes(5));
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        var cancelled = Assert.ThrowsAsync<CniCommandCancelledException>(() => node.HandleAsync(
            NodeHarness.Request("DEL", NodeHarness.Config(), "c1", ns, "eth0"), cts.Token));

        Assert.That(cancelled!.Step, Is.EqualTo(CniStep.DeletingEndpoint));
        Assert.That(await node.LeasesAsync(), Has.Count.EqualTo(1), "endpoint first, address after");
    }
}
