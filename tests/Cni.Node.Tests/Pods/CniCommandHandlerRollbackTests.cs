using Cni.Hcn.Errors;
using Cni.Hcn.Memory;
using Cni.Hcn.Model;
using Cni.Node.Dataplane;
using Cni.Node.Pods;
using Cni.Spec;

namespace Cni.Node.Tests.Pods;

public sealed class CniCommandHandlerRollbackTests
{
    [TestCase(MemoryHcnOperation.EnumerateEndpoints)]
    [TestCase(MemoryHcnOperation.CreateEndpoint)]
    [TestCase(MemoryHcnOperation.ModifyNamespace)]
    public async Task HandleAsync_AddHcnFaultAtStep_NothingLeftAndAddressFree(MemoryHcnOperation step)
    {
        await using var node = await NodeHarness.CreateAsync();
        var ns = (await node.NewNamespaceAsync()).ToString();
        node.Hcn.FailNext(step, 1, HcnErrorCodes.InvalidPolicy);

        var outcome = await node.AddAsync("c1", ns);

        Assert.That(outcome.Error!.Code, Is.EqualTo(CniErrorCode.Internal));
        Assert.That(outcome.Error.Msg, Does.Contain("HCN_E_INVALID_POLICY").And.Contain("Fix:"));
        Assert.That(outcome.Error.Details, Does.Contain("hresult=0x803B000D"));
        Assert.That(await node.EndpointsAsync(), Is.Empty);
        Assert.That(await node.LeasesAsync(), Is.Empty);
        Assert.That(node.Ipam.GetUsage().Single().Leased, Is.Zero);
        Assert.That(node.Locks.ActiveKeys, Is.Zero);
    }

    [TestCase(MemoryHcnOperation.GetNamespace)]
    [TestCase(MemoryHcnOperation.CreateNamespace)]
    [TestCase(MemoryHcnOperation.CreateEndpoint)]
    [TestCase(MemoryHcnOperation.ModifyNamespace)]
    public async Task HandleAsync_AddOnNetnsPathWithHcnFault_CreatedNamespaceReleasedToo(MemoryHcnOperation step)
    {
        await using var node = await NodeHarness.CreateAsync();
        const string Netns = "/var/run/netns/cni-rollback";
        node.Hcn.FailNext(step, 1, HcnErrorCodes.Fail);

        var outcome = await node.AddAsync("c1", Netns);

        Assert.That(outcome.Error!.Code, Is.EqualTo(CniErrorCode.Internal));
        Assert.That(await node.EndpointsAsync(), Is.Empty);
        Assert.That(await node.LeasesAsync(), Is.Empty);
        Assert.That(await node.Hcn.EnumerateNamespacesAsync(null, CancellationToken.None), Is.Empty);
    }

    [Test]
    public async Task HandleAsync_AddJournalWriteFailsWhileEndpointIsCreated_EndpointDeletedAndError11()
    {
        await using var node = await NodeHarness.CreateAsync();
        var ns = (await node.NewNamespaceAsync()).ToString();
        var fail = true;
        node.Ipam.Journal.BeforeWrite = () =>
        {
            if (fail)
            {
                fail = false;
                throw new IOException("injected: EIO");
            }
        };

        var outcome = await node.AddAsync("c1", ns);

        Assert.That(outcome.Error!.Code, Is.EqualTo(CniErrorCode.TryAgainLater));
        Assert.That(outcome.Error.Msg, Does.Contain("journal"));
        Assert.That(await node.EndpointsAsync(), Is.Empty, "the endpoint made beside the failed fsync is rolled back");
        Assert.That(await node.LeasesAsync(), Is.Empty);
        Assert.That(node.Ipam.GetUsage().Single().Leased, Is.Zero);
        Assert.That(node.Locks.ActiveKeys, Is.Zero);
        Assert.That((await node.Hcn.GetNamespaceAsync(Guid.Parse(ns), CancellationToken.None)).Resources ?? [], Is.Empty);

        var retried = await node.AddAsync("c1", ns);
        Assert.That(retried.IsSuccess, Is.True);
    }

    [Test]
    public async Task HandleAsync_AddOnFullDiskOfPersistedMemoryDataplane_RollbackRetriedAndNextAddsGetOtherAddresses()
    {
        // The memory dataplane as wincnid runs it: every change written through to a store in the state directory.
        var hcnState = Directory.CreateTempSubdirectory("wincni-hcn-store-").FullName;
        try
        {
            using var store = new MemoryHcnStore(hcnState);
            var hcn = new MemoryHcn(new MemoryHcnOptions(), TimeProvider.System, store);
            await hcn.LoadAsync(onRestoreFailure: null, CancellationToken.None);
            // 10.244.1.0/29 on Overlay: .2-.5 assignable, so the next four ADDs need the failed ADD's address too.
            await using var node = await NodeHarness.CreateAsync(podCidrs: ["10.244.1.0/29"], hcn: hcn, configure: o => o with { IpQuarantine = TimeSpan.Zero });

            // The disk fills: the endpoint is made in memory, its write fails, and so does the rollback's first delete.
            var ns = (await node.NewNamespaceAsync()).ToString();
            store.FailNextWrites(2, () => new IOException("No space left on device", 28));
            var failed = await node.AddAsync("c1", ns);

            Assert.That(failed.Error, Is.Not.Null);
            Assert.That(await node.EndpointsAsync(), Has.None.Matches<HostComputeEndpoint>(e => e.Name!.Contains("c1", StringComparison.Ordinal)), "the endpoint the failed create made is rolled back");
            Assert.That(await node.LeasesAsync(), Is.Empty);

            // Space comes back: the next ADDs never meet an endpoint that IPAM believes gone.
            for (var i = 2; i < 6; i++)
            {
                NodeHarness.Result(await node.AddAsync($"c{i}", (await node.NewNamespaceAsync()).ToString()));
            }
        }
        finally
        {
            Directory.Delete(hcnState, recursive: true);
        }
    }

    [Test]
    public async Task HandleAsync_AddWhoseEndpointCannotBeDeleted_AddressesStayHeldAndReconcileFinishes()
    {
        await using var node = await NodeHarness.CreateAsync(configure: o => o with { IpQuarantine = TimeSpan.Zero });
        var ns = (await node.NewNamespaceAsync()).ToString();
        var fail = true;
        node.Ipam.Journal.BeforeWrite = () =>
        {
            if (fail)
            {
                fail = false;
                throw new IOException("injected: ENOSPC", 28);
            }
        };

        // The lease's write fails and every attempt to delete the endpoint fails too.
        node.Hcn.FailNext(MemoryHcnOperation.DeleteEndpoint, 10, HcnErrorCodes.Fail);
        var failed = await node.AddAsync("c1", ns);
        node.Hcn.ClearFaults();
        var survivor = (await node.EndpointsAsync()).Single(e => e.Name!.Contains("c1", StringComparison.Ordinal));
        var held = survivor.IpConfigurations!.Single().IpAddress;

        var next = NodeHarness.Result(await node.AddAsync("c2", (await node.NewNamespaceAsync()).ToString()));
        Assert.Multiple(() =>
        {
            Assert.That(failed.Error!.Code, Is.EqualTo(CniErrorCode.TryAgainLater));
            Assert.That(node.Ipam.AbandonedReservations, Has.Count.EqualTo(1), "the failed ADD's addresses stay held");
            Assert.That(next.Parsed.Ips.Single().Address.Address.ToString(), Is.Not.EqualTo(held), "never handed out beside the endpoint that has it");
        });

        var report = await node.Network.ReconcileAsync(CancellationToken.None);

        Assert.Multiple(async () =>
        {
            Assert.That(report.Errors, Is.Empty);
            Assert.That(node.Ipam.AbandonedReservations, Is.Empty);
            Assert.That(await node.EndpointsAsync(), Has.None.Matches<HostComputeEndpoint>(e => e.Name!.Contains("c1", StringComparison.Ordinal)));
            Assert.That((await node.LeasesAsync()).Select(l => l.Key.ContainerId), Is.EqualTo(new[] { "c2" }));
        });
    }

    [Test]
    public async Task HandleAsync_AddAfterFault_RetrySucceedsWithoutLeaks()
    {
        await using var node = await NodeHarness.CreateAsync(configure: o => o with { IpQuarantine = TimeSpan.Zero });
        var ns = (await node.NewNamespaceAsync()).ToString();
        node.Hcn.FailNext(MemoryHcnOperation.ModifyNamespace, 1, HcnErrorCodes.NamespaceAttachFailed);

        var failed = await node.AddAsync("c1", ns);
        var retried = NodeHarness.Result(await node.AddAsync("c1", ns));

        Assert.That(failed.IsSuccess, Is.False);
        Assert.That(retried.Parsed.Ips.Single().Address.ToString(), Is.EqualTo("10.244.1.3/24").Or.EqualTo("10.244.1.2/24"));
        Assert.That(await node.EndpointsAsync(), Has.Count.EqualTo(1));
        Assert.That(await node.LeasesAsync(), Has.Count.EqualTo(1));
    }

    [TestCase(HcnErrorCodes.ManagerStopped)]
    [TestCase(HcnErrorCodes.Timeout)]
    [TestCase(HcnErrorCodes.RpcServerUnavailable)]
    public async Task HandleAsync_AddTransientHcnFault_Code11(int hresult)
    {
        await using var node = await NodeHarness.CreateAsync();
        node.Hcn.FailNext(MemoryHcnOperation.CreateEndpoint, 1, hresult);

        var outcome = await node.AddAsync("c1", (await node.NewNamespaceAsync()).ToString());

        Assert.That(outcome.Error!.Code, Is.EqualTo(CniErrorCode.TryAgainLater));
        Assert.That(outcome.Error.Details, Does.Contain("hresult=" + HcnErrorCatalog.FormatHResult(hresult)));
        Assert.That(await node.LeasesAsync(), Is.Empty);
    }

    [Test]
    public async Task HandleAsync_AddNetworkDeletedOutOfBand_Code11AndNodeNotReady()
    {
        await using var node = await NodeHarness.CreateAsync();
        await node.Hcn.DeleteNetworkAsync(node.Network.NetworkId!.Value, CancellationToken.None);

        var outcome = await node.AddAsync("c1", (await node.NewNamespaceAsync()).ToString());

        Assert.That(outcome.Error!.Code, Is.EqualTo(CniErrorCode.TryAgainLater));
        Assert.That(outcome.Error.Msg, Does.Contain("no longer exists"));
        Assert.That(node.Network.IsReady, Is.False);
        Assert.That(await node.LeasesAsync(), Is.Empty);
    }

    [TestCase(unchecked((int)0x80070490), TestName = "HandleAsync_AddNetworkOpenNotFound_Code11AndNodeNotReady(ERROR_NOT_FOUND)")]
    [TestCase(unchecked((int)0x803B0001), TestName = "HandleAsync_AddNetworkOpenNotFound_Code11AndNodeNotReady(HCN_E_NETWORK_NOT_FOUND)")]
    public async Task HandleAsync_AddNetworkOpenNotFound_Code11AndNodeNotReady(int hresult)
    {
        // HcnOpenNetwork on a GUID HNS no longer knows answers 0x80070490 (hcsshim hcn/hcnerrors_test.go); some builds 0x803B0001.
        await using var node = await NodeHarness.CreateAsync();
        node.Hcn.FailNext(MemoryHcnOperation.CreateEndpoint, 1, hresult);

        var outcome = await node.AddAsync("c1", (await node.NewNamespaceAsync()).ToString());

        Assert.That(outcome.Error!.Code, Is.EqualTo(CniErrorCode.TryAgainLater));
        Assert.That(outcome.Error.Msg, Does.Contain("no longer exists"));
        Assert.That(node.Network.IsReady, Is.False);
        Assert.That(await node.LeasesAsync(), Is.Empty);
    }

    [Test]
    public async Task HandleAsync_AddPoolExhausted_Code11NoEndpoint()
    {
        // 10.244.1.0/29 on Overlay: .2-.5 assignable (.1 gateway, .6 source VIP).
        await using var node = await NodeHarness.CreateAsync(podCidrs: ["10.244.1.0/29"]);
        for (var i = 0; i < 4; i++)
        {
            NodeHarness.Result(await node.AddAsync($"c{i}", $"/var/run/netns/p{i}"));
        }

        var outcome = await node.AddAsync("c4", "/var/run/netns/p4");

        Assert.That(outcome.Error!.Code, Is.EqualTo(CniErrorCode.TryAgainLater));
        Assert.That(outcome.Error.Msg, Does.Contain("exhausted"));
        Assert.That(await node.EndpointsAsync(), Has.Count.EqualTo(4));
        Assert.That(await node.LeasesAsync(), Has.Count.EqualTo(4));
        var namespaces = await node.Hcn.EnumerateNamespacesAsync(null, CancellationToken.None);
        Assert.That(namespaces.Select(n => n.Id), Has.No.Member(NetnsPathNamespaceResolver.IdForPath("/var/run/netns/p4")));
    }

    [Test]
    public async Task HandleAsync_AddCancelled_RolledBackAndCancellationNamesTheStep()
    {
        await using var node = await NodeHarness.CreateAsync();
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        var cancelled = Assert.ThrowsAsync<CniCommandCancelledException>(() => node.HandleAsync(
            NodeHarness.Request("ADD", NodeHarness.Config(), "c1", "/var/run/netns/p1", "eth0"), cts.Token));

        Assert.That(cancelled!.Step, Is.EqualTo(CniStep.WaitingForAttachmentLock));
        Assert.That(await node.LeasesAsync(), Is.Empty);
        Assert.That(await node.EndpointsAsync(), Is.Empty);
    }

    [Test]
    public async Task HandleAsync_AddCancelledWhileCreatingEndpoint_EndpointAndLeaseRolledBack()
    {
        await using var node = await NodeHarness.CreateAsync();
        node.Hcn.SetLatency(MemoryHcnOperation.CreateEndpoint, TimeSpan.FromMinutes(5));
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        var cancelled = Assert.ThrowsAsync<CniCommandCancelledException>(() => node.HandleAsync(
            NodeHarness.Request("ADD", NodeHarness.Config(), "c1", "/var/run/netns/p1", "eth0"), cts.Token));

        Assert.That(cancelled!.Step, Is.EqualTo(CniStep.CreatingEndpoint));
        Assert.That(await node.LeasesAsync(), Is.Empty);
        Assert.That(await node.EndpointsAsync(), Is.Empty);
        Assert.That(await node.Hcn.EnumerateNamespacesAsync(null, CancellationToken.None), Is.Empty, "the namespace the ADD created is released");
    }

    [Test]
    public async Task HandleAsync_AddResolverThrowsUnexpectedException_EndpointDeletedLeaseReleasedError()
    {
        await using var node = await NodeHarness.CreateAsync(
            namespaces: inner => new ThrowingNamespaceResolver(inner, new InvalidOperationException("injected: resolver bug")));

        var outcome = await node.AddAsync("c1", "/var/run/netns/p1");

        Assert.That(outcome.Error, Is.Not.Null);
        Assert.That(outcome.Error!.Msg, Does.Contain("injected: resolver bug"));
        Assert.That(await node.EndpointsAsync(), Is.Empty, "the endpoint created beside the failed resolution is rolled back");
        Assert.That(await node.LeasesAsync(), Is.Empty);
        Assert.That(node.Ipam.GetUsage().Single().Leased, Is.Zero);
        Assert.That(node.Locks.ActiveKeys, Is.Zero);
    }
}
