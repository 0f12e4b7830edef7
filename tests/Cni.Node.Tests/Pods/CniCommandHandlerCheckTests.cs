using System.Text;
using Cni.Node.Ipam;
using Cni.Spec;

namespace Cni.Node.Tests.Pods;

public sealed class CniCommandHandlerCheckTests
{
    [TestCase("0.4.0")]
    [TestCase("1.0.0")]
    [TestCase("1.1.0")]
    public async Task HandleAsync_CheckAfterAdd_Succeeds(string version)
    {
        await using var node = await NodeHarness.CreateAsync();
        var ns = (await node.NewNamespaceAsync()).ToString();
        var added = NodeHarness.Result(await node.AddAsync("c1", ns, version: version));

        var outcome = await node.CheckAsync("c1", ns, added.Bytes, version: version);

        Assert.That(outcome.Error, Is.Null, () => outcome.Error!.Msg);
        Assert.That(outcome.Result, Is.Null);
    }

    [Test]
    public async Task HandleAsync_CheckEndpointMissing_SaysItDoesNotExist()
    {
        await using var node = await NodeHarness.CreateAsync();
        var ns = (await node.NewNamespaceAsync()).ToString();
        var added = NodeHarness.Result(await node.AddAsync("c1", ns));
        await node.Hcn.DeleteEndpointAsync((await node.EndpointsAsync()).Single().Id, CancellationToken.None);

        var outcome = await node.CheckAsync("c1", ns, added.Bytes);

        Assert.That(outcome.Error!.Msg, Does.StartWith("CHECK: HCN endpoint wincni_wincni_c1_eth0 does not exist"));
    }

    [Test]
    public async Task HandleAsync_CheckEndpointDetached_SaysNotAttached()
    {
        await using var node = await NodeHarness.CreateAsync();
        var ns = await node.NewNamespaceAsync();
        var added = NodeHarness.Result(await node.AddAsync("c1", ns.ToString()));
        await ((Cni.Hcn.IHcn)node.Hcn).RemoveNamespaceEndpointAsync(ns, (await node.EndpointsAsync()).Single().Id, CancellationToken.None);

        var outcome = await node.CheckAsync("c1", ns.ToString(), added.Bytes);

        Assert.That(outcome.Error!.Msg, Does.Contain("is not attached to any namespace; expected " + ns));
    }

    [Test]
    public async Task HandleAsync_CheckAttachedElsewhere_NamesBothNamespaces()
    {
        await using var node = await NodeHarness.CreateAsync();
        var ns = await node.NewNamespaceAsync();
        var other = await node.NewNamespaceAsync();
        var added = NodeHarness.Result(await node.AddAsync("c1", ns.ToString()));

        var outcome = await node.CheckAsync("c1", other.ToString(), added.Bytes);

        Assert.That(outcome.Error!.Msg, Does.Contain($"is attached to namespace {ns}, not to {other} (CNI_NETNS)"));
    }

    [Test]
    public async Task HandleAsync_CheckPrevResultIpDiffers_NamesBothAddressLists()
    {
        await using var node = await NodeHarness.CreateAsync();
        var ns = (await node.NewNamespaceAsync()).ToString();
        var added = NodeHarness.Result(await node.AddAsync("c1", ns));
        var tampered = Encoding.UTF8.GetBytes(added.Text.Replace("10.244.1.2/24", "10.244.1.99/24", StringComparison.Ordinal));

        var outcome = await node.CheckAsync("c1", ns, tampered);

        Assert.That(outcome.Error!.Msg, Is.EqualTo("CHECK: prevResult.ips lists [10.244.1.99] for 'eth0' but HCN endpoint wincni_wincni_c1_eth0 has [10.244.1.2]"));
    }

    [Test]
    public async Task HandleAsync_CheckLeaseMissing_SaysNoLease()
    {
        await using var node = await NodeHarness.CreateAsync();
        var ns = (await node.NewNamespaceAsync()).ToString();
        var added = NodeHarness.Result(await node.AddAsync("c1", ns));
        await node.Ipam.ReleaseAsync(new LeaseKey("c1", "eth0"), CancellationToken.None);

        var outcome = await node.CheckAsync("c1", ns, added.Bytes);

        Assert.That(outcome.Error!.Msg, Does.StartWith("CHECK: no IP lease for c1/eth0"));
    }

    [Test]
    public async Task HandleAsync_CheckPrevResultWithoutTheInterface_Code7()
    {
        await using var node = await NodeHarness.CreateAsync();
        var ns = (await node.NewNamespaceAsync()).ToString();
        var added = NodeHarness.Result(await node.AddAsync("c1", ns));

        var outcome = await node.CheckAsync("c1", ns, added.Bytes, ifName: "eth1");

        Assert.That(outcome.Error!.Code, Is.EqualTo(CniErrorCode.InvalidNetworkConfig));
        Assert.That(outcome.Error.Msg, Does.StartWith("prevResult.interfaces: "));
    }

    [Test]
    public async Task HandleAsync_CheckOnOldVersion_Code1()
    {
        await using var node = await NodeHarness.CreateAsync();

        var outcome = await node.HandleAsync(
            NodeHarness.Request("CHECK", NodeHarness.Config("0.3.1"), "c1", "/var/run/netns/x", "eth0"), CancellationToken.None);

        Assert.That(outcome.Error!.Code, Is.EqualTo(CniErrorCode.IncompatibleCniVersion));
    }
}
