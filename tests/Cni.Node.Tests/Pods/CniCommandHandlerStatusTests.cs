using Cni.Hcn.Errors;
using Cni.Hcn.Memory;
using Cni.Spec;

namespace Cni.Node.Tests.Pods;

public sealed class CniCommandHandlerStatusTests
{
    [Test]
    public async Task HandleAsync_StatusReady_SucceedsWithOneHcnCall()
    {
        await using var node = await NodeHarness.CreateAsync();
        node.Hcn.ResetCallCounts();

        var outcome = await node.StatusAsync();

        Assert.That(outcome.IsSuccess, Is.True);
        Assert.That(outcome.Result, Is.Null);
        Assert.That(node.Hcn.TotalCallCount, Is.EqualTo(1));
    }

    [Test]
    public async Task HandleAsync_StatusNotReady_Code50WithReason()
    {
        await using var node = await NodeHarness.CreateAsync(ensure: false);

        var outcome = await node.StatusAsync();

        Assert.That(outcome.Error!.Code, Is.EqualTo(CniErrorCode.PluginNotAvailable));
        Assert.That(outcome.Error.Msg, Does.Contain("not been ensured yet"));
        Assert.That(outcome.Error.CniVersion, Is.EqualTo("1.1.0"));
    }

    [Test]
    public async Task HandleAsync_StatusPoolFull_Code50()
    {
        await using var node = await NodeHarness.CreateAsync(podCidrs: ["10.244.1.0/29"]);
        for (var i = 0; i < 4; i++)
        {
            NodeHarness.Result(await node.AddAsync($"c{i}", $"/var/run/netns/p{i}"));
        }

        var outcome = await node.StatusAsync();

        Assert.That(outcome.Error!.Code, Is.EqualTo(CniErrorCode.PluginNotAvailable));
        Assert.That(outcome.Error.Msg, Does.StartWith("IP pool 10.244.1.0/29 is exhausted"));
    }

    [Test]
    public async Task HandleAsync_StatusPoolFullWithQuarantine_Code11()
    {
        await using var node = await NodeHarness.CreateAsync(podCidrs: ["10.244.1.0/29"]);
        for (var i = 0; i < 4; i++)
        {
            NodeHarness.Result(await node.AddAsync($"c{i}", $"/var/run/netns/p{i}"));
        }

        await node.DelAsync("c0", "/var/run/netns/p0");

        var outcome = await node.StatusAsync();

        Assert.That(outcome.Error!.Code, Is.EqualTo(CniErrorCode.TryAgainLater));
        Assert.That(outcome.Error.Msg, Does.Contain("1 in quarantine"));
    }

    [Test]
    public async Task HandleAsync_StatusHnsStopping_Code11()
    {
        await using var node = await NodeHarness.CreateAsync();
        node.Hcn.FailNext(MemoryHcnOperation.GetNetwork, 1, HcnErrorCodes.ManagerStopped);

        var outcome = await node.StatusAsync();

        Assert.That(outcome.Error!.Code, Is.EqualTo(CniErrorCode.TryAgainLater));
        Assert.That(outcome.Error.Details, Does.Contain("0x803B0020"));
    }

    [Test]
    public async Task HandleAsync_StatusOnOldVersion_Code1()
    {
        await using var node = await NodeHarness.CreateAsync();

        var outcome = await node.StatusAsync("1.0.0");

        Assert.That(outcome.Error!.Code, Is.EqualTo(CniErrorCode.IncompatibleCniVersion));
    }
}
