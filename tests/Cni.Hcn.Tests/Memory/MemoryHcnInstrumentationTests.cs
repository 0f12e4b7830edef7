using Cni.Hcn.Errors;
using Cni.Hcn.Memory;
using Cni.Hcn.Model;
using Cni.Hcn.Versioning;
using static Cni.Hcn.Tests.Memory.MemoryHcnTestData;

namespace Cni.Hcn.Tests.Memory;

[TestFixture]
public sealed class MemoryHcnInstrumentationTests
{
    [Test]
    [CancelAfter(10_000)]
    public async Task GetCallCount_AfterCalls_CountsEachOperation(CancellationToken cancellationToken)
    {
        var hcn = new MemoryHcn();
        var network = await hcn.CreateNetworkAsync(L2Bridge(), cancellationToken);
        await hcn.GetNetworkAsync(network.Id, cancellationToken);
        await hcn.GetNetworkAsync(network.Id, cancellationToken);
        await hcn.EnumerateNetworksAsync(null, cancellationToken);

        Assert.That(hcn.GetCallCount(MemoryHcnOperation.CreateNetwork), Is.EqualTo(1));
        Assert.That(hcn.GetCallCount(MemoryHcnOperation.GetNetwork), Is.EqualTo(2));
        Assert.That(hcn.GetCallCount(MemoryHcnOperation.EnumerateNetworks), Is.EqualTo(1));
        Assert.That(hcn.GetCallCount(MemoryHcnOperation.DeleteNetwork), Is.Zero);
        Assert.That(hcn.TotalCallCount, Is.EqualTo(4));
        Assert.That(hcn.GetCallCounts(), Is.EquivalentTo(new Dictionary<MemoryHcnOperation, long>
        {
            [MemoryHcnOperation.CreateNetwork] = 1, [MemoryHcnOperation.GetNetwork] = 2, [MemoryHcnOperation.EnumerateNetworks] = 1,
        }));
    }

    [Test]
    [CancelAfter(10_000)]
    public async Task GetCallCount_FailedCall_IsStillCounted(CancellationToken cancellationToken)
    {
        var hcn = new MemoryHcn();

        Assert.ThrowsAsync<HcnException>(() => hcn.GetNetworkAsync(Guid.NewGuid(), cancellationToken));
        await Task.CompletedTask;

        Assert.That(hcn.GetCallCount(MemoryHcnOperation.GetNetwork), Is.EqualTo(1));
    }

    [Test]
    [CancelAfter(10_000)]
    public async Task GetCallCount_AttachHelper_CountsAsOneModifyNamespace(CancellationToken cancellationToken)
    {
        IHcn hcn = new MemoryHcn();
        var network = await hcn.CreateNetworkAsync(L2Bridge(), cancellationToken);
        var endpoint = await hcn.CreateEndpointAsync(network.Id, Endpoint("10.244.1.10"), cancellationToken);
        var ns = await hcn.CreateNamespaceAsync(new HostComputeNamespace { Type = NamespaceType.Host }, cancellationToken);

        await hcn.AddNamespaceEndpointAsync(ns.Id, endpoint.Id, cancellationToken);

        Assert.That(((MemoryHcn)hcn).GetCallCount(MemoryHcnOperation.ModifyNamespace), Is.EqualTo(1));
    }

    [Test]
    [CancelAfter(10_000)]
    public async Task ResetCallCounts_AfterCalls_ZeroesEveryCounter(CancellationToken cancellationToken)
    {
        var hcn = new MemoryHcn();
        await hcn.CreateNetworkAsync(L2Bridge(), cancellationToken);

        hcn.ResetCallCounts();

        Assert.That(hcn.TotalCallCount, Is.Zero);
        Assert.That(hcn.GetCallCounts(), Is.Empty);
    }

    [Test]
    [CancelAfter(10_000)]
    public async Task FailNext_TwoCalls_FailsTwiceWithoutSideEffectsThenSucceeds(CancellationToken cancellationToken)
    {
        var hcn = new MemoryHcn();
        hcn.FailNext(MemoryHcnOperation.CreateNetwork, 2, HcnErrorCodes.RpcServerUnavailable);

        var first = Assert.ThrowsAsync<HcnException>(() => hcn.CreateNetworkAsync(L2Bridge(), cancellationToken));
        var second = Assert.ThrowsAsync<HcnException>(() => hcn.CreateNetworkAsync(L2Bridge(), cancellationToken));
        var created = await hcn.CreateNetworkAsync(L2Bridge(), cancellationToken);

        Assert.That(first!.HResult, Is.EqualTo(HcnErrorCodes.RpcServerUnavailable));
        Assert.That(second!.HResult, Is.EqualTo(HcnErrorCodes.RpcServerUnavailable));
        Assert.That(first.Operation, Does.StartWith("HcnCreateNetwork"));
        Assert.That(await hcn.EnumerateNetworksAsync(null, cancellationToken), Has.Count.EqualTo(1), "failed calls created nothing");
        Assert.That(created.Name, Is.EqualTo("cbr0"));
        Assert.That(hcn.GetCallCount(MemoryHcnOperation.CreateNetwork), Is.EqualTo(3));
    }

    [Test]
    [CancelAfter(10_000)]
    public async Task FailNext_QueuedRegistrations_ApplyInOrder(CancellationToken cancellationToken)
    {
        var hcn = new MemoryHcn();
        hcn.FailNext(MemoryHcnOperation.GetVersion, 1, HcnErrorCodes.Timeout);
        hcn.FailNext(MemoryHcnOperation.GetVersion, 1, HcnErrorCodes.ServiceNotActive);

        var first = Assert.ThrowsAsync<HcnException>(() => hcn.GetVersionAsync(cancellationToken));
        var second = Assert.ThrowsAsync<HcnException>(() => hcn.GetVersionAsync(cancellationToken));
        var version = await hcn.GetVersionAsync(cancellationToken);

        Assert.That(first!.HResult, Is.EqualTo(HcnErrorCodes.Timeout));
        Assert.That(second!.HResult, Is.EqualTo(HcnErrorCodes.ServiceNotActive));
        Assert.That(version, Is.EqualTo(new HcnVersion(15, 4)));
    }

    [Test]
    [CancelAfter(10_000)]
    public async Task FailAfter_TwoPassing_ThirdCallFailsAloneWithoutSideEffects(CancellationToken cancellationToken)
    {
        var hcn = new MemoryHcn();
        hcn.FailAfter(MemoryHcnOperation.GetVersion, 2, HcnErrorCodes.Timeout);

        await hcn.GetVersionAsync(cancellationToken);
        await hcn.GetVersionAsync(cancellationToken);
        var third = Assert.ThrowsAsync<HcnException>(() => hcn.GetVersionAsync(cancellationToken));
        var fourth = await hcn.GetVersionAsync(cancellationToken);

        Assert.That(third!.HResult, Is.EqualTo(HcnErrorCodes.Timeout));
        Assert.That(fourth, Is.EqualTo(new HcnVersion(15, 4)));
        Assert.That(hcn.GetCallCount(MemoryHcnOperation.GetVersion), Is.EqualTo(4));
    }

    [Test]
    [CancelAfter(10_000)]
    public async Task FailNext_OtherOperation_IsUnaffected(CancellationToken cancellationToken)
    {
        var hcn = new MemoryHcn();
        hcn.FailNext(MemoryHcnOperation.DeleteNetwork, 1, HcnErrorCodes.Fail);

        var network = await hcn.CreateNetworkAsync(L2Bridge(), cancellationToken);

        Assert.That(network.Id, Is.Not.EqualTo(Guid.Empty));
    }

    [Test]
    [CancelAfter(10_000)]
    public async Task FailNext_InjectedVersionFailure_GetFeaturesReportsNone(CancellationToken cancellationToken)
    {
        IHcn hcn = new MemoryHcn();
        ((MemoryHcn)hcn).FailNext(MemoryHcnOperation.GetVersion, 1, HcnErrorCodes.ServiceNotActive);

        var features = await hcn.GetFeaturesAsync(cancellationToken);

        Assert.That(features.ApiV2, Is.False);
    }

    [Test]
    [CancelAfter(10_000)]
    public async Task ClearFaults_QueuedFaults_AreDropped(CancellationToken cancellationToken)
    {
        var hcn = new MemoryHcn();
        hcn.FailNext(MemoryHcnOperation.CreateNetwork, 5, HcnErrorCodes.Fail);

        hcn.ClearFaults();

        Assert.That((await hcn.CreateNetworkAsync(L2Bridge(), cancellationToken)).Id, Is.Not.EqualTo(Guid.Empty));
    }

    [TestCase(0, unchecked((int)0x80004005))]
    [TestCase(1, 0)]
    [TestCase(1, 1)]
    public void FailNext_InvalidArguments_Throws(int count, int hresult)
    {
        var hcn = new MemoryHcn();

        Assert.Throws<ArgumentOutOfRangeException>(() => hcn.FailNext(MemoryHcnOperation.CreateNetwork, count, hresult));
    }

    [Test]
    [CancelAfter(10_000)]
    public async Task Latency_Set_CallCompletesOnlyWhenTheClockMoves(CancellationToken cancellationToken)
    {
        var clock = new ManualTimeProvider();
        var hcn = new MemoryHcn(new MemoryHcnOptions { Latency = TimeSpan.FromMilliseconds(40) }, clock);

        var create = hcn.CreateNetworkAsync(L2Bridge(), cancellationToken);
        Assert.That(create.IsCompleted, Is.False);
        clock.Advance(TimeSpan.FromMilliseconds(39));
        Assert.That(create.IsCompleted, Is.False);
        clock.Advance(TimeSpan.FromMilliseconds(1));
        var network = await create;

        Assert.That(network.Id, Is.Not.EqualTo(Guid.Empty));
    }

    [Test]
    [CancelAfter(10_000)]
    public async Task SetLatency_OneOperation_OverridesTheDefaultForItOnly(CancellationToken cancellationToken)
    {
        var clock = new ManualTimeProvider();
        var hcn = new MemoryHcn(null, clock) { Latency = TimeSpan.FromSeconds(1) };
        hcn.SetLatency(MemoryHcnOperation.GetVersion, TimeSpan.Zero);

        var version = hcn.GetVersionAsync(cancellationToken);
        var create = hcn.CreateNetworkAsync(L2Bridge(), cancellationToken);

        Assert.That(version.IsCompletedSuccessfully, Is.True);
        Assert.That(create.IsCompleted, Is.False);
        clock.Advance(TimeSpan.FromSeconds(1));
        await create;
        hcn.SetLatency(MemoryHcnOperation.GetVersion, null);
        Assert.That(hcn.GetVersionAsync(cancellationToken).IsCompleted, Is.False);
        clock.Advance(TimeSpan.FromSeconds(1));
    }

    [Test]
    [CancelAfter(10_000)]
    public async Task Latency_CancelledWhileWaiting_ThrowsCanceledWithoutSideEffectsOrUsingTheFault(CancellationToken cancellationToken)
    {
        var clock = new ManualTimeProvider();
        var hcn = new MemoryHcn(new MemoryHcnOptions { Latency = TimeSpan.FromMilliseconds(50) }, clock);
        hcn.FailNext(MemoryHcnOperation.CreateNetwork, 1, HcnErrorCodes.Fail);
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);

        var create = hcn.CreateNetworkAsync(L2Bridge(), cancel.Token);
        await cancel.CancelAsync();

        Assert.CatchAsync<OperationCanceledException>(() => create);
        hcn.Latency = TimeSpan.Zero;
        Assert.ThrowsAsync<HcnException>(() => hcn.CreateNetworkAsync(L2Bridge(), cancellationToken), "the fault is still queued");
        Assert.That(await hcn.EnumerateNetworksAsync(null, cancellationToken), Is.Empty);
    }

    [Test]
    public void AnyCall_CancelledToken_ThrowsBeforeCounting()
    {
        var hcn = new MemoryHcn();

        Assert.CatchAsync<OperationCanceledException>(() => hcn.GetVersionAsync(new CancellationToken(canceled: true)));

        Assert.That(hcn.TotalCallCount, Is.Zero);
    }
}
