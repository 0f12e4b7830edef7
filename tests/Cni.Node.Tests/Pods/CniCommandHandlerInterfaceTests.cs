using Cni.Hcn.Model;
using Cni.Hcn.Model.Policies;
using Cni.Node.Networks;

namespace Cni.Node.Tests.Pods;

/// <summary>
/// On a dataplane that can show the pods' interfaces (KernelHcn, modelled here by <see cref="ModelledInterfaces"/>):
/// a repeated ADD, CHECK and reconciliation look at the interface itself and never call a missing one fine; the
/// endpoint carries CNI_IFNAME as its PortName; several attachments share a pod. Without that view (HNS) nothing changes.
/// </summary>
public sealed class CniCommandHandlerInterfaceTests
{
    [Test]
    public async Task HandleAsync_AddRepeatedWhileTheInterfaceIsMissing_RepairsItAndAnswersTheSameAddress()
    {
        await using var node = await KernelNodeAsync();
        var interfaces = (ModelledInterfaces)node.Attachments!;
        var ns = (await node.NewNamespaceAsync()).ToString();
        var first = NodeHarness.Result(await node.AddAsync("c1", ns)).Parsed;
        var endpoint = await PodEndpointAsync(node);
        interfaces.Break(endpoint.Id);

        var again = NodeHarness.Result(await node.AddAsync("c1", ns)).Parsed;

        Assert.That(interfaces.Repairs, Is.EqualTo(1));
        Assert.That(again.Ips.Single().Address, Is.EqualTo(first.Ips.Single().Address));
        Assert.That((await PodEndpointAsync(node)).Id, Is.EqualTo(endpoint.Id), "repaired in place");
        Assert.That((await interfaces.VerifyAsync(endpoint.Id, CancellationToken.None)).IsIntact, Is.True);
    }

    [Test]
    public async Task HandleAsync_AddRepeatedAndTheRepairFails_EndpointReplacedWithItsInterfaceAndTheSameAddress()
    {
        await using var node = await KernelNodeAsync();
        var interfaces = (ModelledInterfaces)node.Attachments!;
        var ns = (await node.NewNamespaceAsync()).ToString();
        var first = NodeHarness.Result(await node.AddAsync("c1", ns)).Parsed;
        var endpoint = await PodEndpointAsync(node);
        interfaces.Break(endpoint.Id);
        interfaces.RepairFails = true;

        var again = NodeHarness.Result(await node.AddAsync("c1", ns)).Parsed;
        var replaced = await PodEndpointAsync(node);

        Assert.That(replaced.Id, Is.Not.EqualTo(endpoint.Id), "a new endpoint, made with its interface");
        Assert.That((await interfaces.VerifyAsync(replaced.Id, CancellationToken.None)).IsIntact, Is.True);
        Assert.That(again.Ips.Single().Address, Is.EqualTo(first.Ips.Single().Address), "the lease is kept");
        Assert.That(await node.LeasesAsync(), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task HandleAsync_AddRepeatedWithTheInterfaceIntact_NoRepair()
    {
        await using var node = await KernelNodeAsync();
        var interfaces = (ModelledInterfaces)node.Attachments!;
        var ns = (await node.NewNamespaceAsync()).ToString();
        NodeHarness.Result(await node.AddAsync("c1", ns));
        var endpoint = await PodEndpointAsync(node);

        NodeHarness.Result(await node.AddAsync("c1", ns));

        Assert.That(interfaces.Repairs, Is.Zero);
        Assert.That((await PodEndpointAsync(node)).Id, Is.EqualTo(endpoint.Id));
    }

    [Test]
    public async Task HandleAsync_CheckWhileTheInterfaceIsMissing_FailsNamingTheInterface()
    {
        await using var node = await KernelNodeAsync();
        var ns = (await node.NewNamespaceAsync()).ToString();
        var added = NodeHarness.Result(await node.AddAsync("c1", ns));
        ((ModelledInterfaces)node.Attachments!).Break((await PodEndpointAsync(node)).Id);

        var outcome = await node.CheckAsync("c1", ns, added.Bytes);

        Assert.That(outcome.Error, Is.Not.Null);
        Assert.That(outcome.Error!.Msg, Does.StartWith($"CHECK: interface 'eth0' is missing in {ns}: there is no interface eth0"));
    }

    [Test]
    public async Task HandleAsync_CheckWhileTheAddressIsMissing_FailsNamingTheAddress()
    {
        await using var node = await KernelNodeAsync();
        var ns = (await node.NewNamespaceAsync()).ToString();
        var added = NodeHarness.Result(await node.AddAsync("c1", ns));
        ((ModelledInterfaces)node.Attachments!).Break((await PodEndpointAsync(node)).Id, ModelledInterfaces.Breakage.Address);

        var outcome = await node.CheckAsync("c1", ns, added.Bytes);

        Assert.That(outcome.Error!.Msg, Is.EqualTo($"CHECK: prevResult.ips: 10.244.1.2/24 is not on interface 'eth0' in {ns} (it has [])"));
    }

    [Test]
    public async Task HandleAsync_CheckWhileTheRouteIsMissing_FailsNamingTheRoute()
    {
        await using var node = await KernelNodeAsync();
        var ns = (await node.NewNamespaceAsync()).ToString();
        var added = NodeHarness.Result(await node.AddAsync("c1", ns));
        ((ModelledInterfaces)node.Attachments!).Break((await PodEndpointAsync(node)).Id, ModelledInterfaces.Breakage.Route);

        var outcome = await node.CheckAsync("c1", ns, added.Bytes);

        Assert.That(outcome.Error!.Msg, Is.EqualTo($"CHECK: prevResult.routes: 0.0.0.0/0 via 10.244.1.1 is missing on interface 'eth0' in {ns}"));
    }

    [Test]
    public async Task HandleAsync_CheckWithTheInterfaceAsAdded_Succeeds()
    {
        await using var node = await KernelNodeAsync();
        var ns = (await node.NewNamespaceAsync()).ToString();
        var added = NodeHarness.Result(await node.AddAsync("c1", ns, ifName: "net1"));

        var outcome = await node.CheckAsync("c1", ns, added.Bytes, ifName: "net1");

        Assert.That(outcome.Error, Is.Null, () => outcome.Error!.Msg);
    }

    [Test]
    public async Task HandleAsync_AddOnAKernelNode_EndpointCarriesCniIfNameAsPortName()
    {
        await using var node = await KernelNodeAsync();

        var result = NodeHarness.Result(await node.AddAsync("c1", (await node.NewNamespaceAsync()).ToString(), ifName: "net1")).Parsed;

        Assert.That(result.Interfaces.Single().Name, Is.EqualTo("net1"));
        Assert.That(PortNameOf(await PodEndpointAsync(node)), Is.EqualTo("net1"));
    }

    [Test]
    public async Task HandleAsync_AddWithoutAnInterfaceView_NoPortNamePolicy()
    {
        // HNS: PortName names the vSwitch port there, and Windows names the container's vNIC itself.
        await using var node = await NodeHarness.CreateAsync();

        NodeHarness.Result(await node.AddAsync("c1", (await node.NewNamespaceAsync()).ToString(), ifName: "net1"));

        Assert.That(PortNameOf(await PodEndpointAsync(node)), Is.Null);
    }

    [Test]
    public async Task HandleAsync_SecondAttachmentNet1IntoAPodWithEth0_BothAttachedAndDelOfOneLeavesTheOther()
    {
        await using var node = await KernelNodeAsync();
        var ns = (await node.NewNamespaceAsync()).ToString();
        var eth0 = NodeHarness.Result(await node.AddAsync("c1", ns)).Parsed;

        var net1 = NodeHarness.Result(await node.AddAsync("c1", ns, ifName: "net1")).Parsed;
        var both = (await node.EndpointsAsync()).Where(e => EndpointNames.IsOwned(e.Name, NodeHarness.NetworkName)).ToList();
        var deleted = await node.DelAsync("c1", ns, ifName: "net1");
        var left = (await node.EndpointsAsync()).Where(e => EndpointNames.IsOwned(e.Name, NodeHarness.NetworkName)).ToList();

        Assert.That(net1.Interfaces.Single().Name, Is.EqualTo("net1"));
        Assert.That(net1.Ips.Single().Address, Is.Not.EqualTo(eth0.Ips.Single().Address));
        Assert.That(both.Select(PortNameOf), Is.EquivalentTo(new[] { "eth0", "net1" }));
        Assert.That(both.Select(e => e.HostComputeNamespace).Distinct().Single(), Is.EqualTo(Guid.Parse(ns)));
        Assert.That(deleted.Error, Is.Null);
        Assert.That(left.Select(PortNameOf), Is.EqualTo(new[] { "eth0" }));
        Assert.That(await node.CheckAsync("c1", ns, NodeHarness.Result(await node.AddAsync("c1", ns)).Bytes), Has.Property("Error").Null);
    }

    [Test]
    public async Task ReconcileAsync_AttachmentWithoutItsInterface_RepairedAndReported()
    {
        await using var node = await KernelNodeAsync();
        var interfaces = (ModelledInterfaces)node.Attachments!;
        NodeHarness.Result(await node.AddAsync("c1", (await node.NewNamespaceAsync()).ToString()));
        var endpoint = await PodEndpointAsync(node);
        interfaces.Break(endpoint.Id);

        var report = await node.Network.ReconcileAsync(CancellationToken.None);

        Assert.That(report.AttachmentsRepaired, Has.Count.EqualTo(1));
        Assert.That(report.AttachmentsRepaired[0], Does.StartWith(endpoint.Name + ": there is no interface eth0"));
        Assert.That(report.AttachmentsBroken, Is.Empty);
        Assert.That((await interfaces.VerifyAsync(endpoint.Id, CancellationToken.None)).IsIntact, Is.True);
    }

    [Test]
    public async Task ReconcileAsync_AttachmentThatCannotBeRepaired_ReportedBrokenAndShownInTheStatus()
    {
        await using var node = await KernelNodeAsync();
        var interfaces = (ModelledInterfaces)node.Attachments!;
        NodeHarness.Result(await node.AddAsync("c1", (await node.NewNamespaceAsync()).ToString()));
        var endpoint = await PodEndpointAsync(node);
        interfaces.Break(endpoint.Id);
        interfaces.RepairFails = true;

        var report = await node.Network.ReconcileAsync(CancellationToken.None);
        var status = await node.Network.GetSnapshotAsync(CancellationToken.None);

        Assert.That(report.AttachmentsRepaired, Is.Empty);
        Assert.That(report.AttachmentsBroken, Is.EqualTo(new[] { endpoint.Name + ": there is no interface eth0 in the pod's namespace" }));
        Assert.That(status.Endpoints.Single(e => e.Id == endpoint.Id).Interface, Is.EqualTo("eth0: there is no interface eth0 in the pod's namespace"));
    }

    [Test]
    public async Task GetSnapshotAsync_IntactAttachment_InterfaceOk()
    {
        await using var node = await KernelNodeAsync();
        NodeHarness.Result(await node.AddAsync("c1", (await node.NewNamespaceAsync()).ToString()));

        var status = await node.Network.GetSnapshotAsync(CancellationToken.None);

        Assert.That(status.Endpoints.Single(e => e.Owned).Interface, Is.EqualTo("eth0: ok"));
    }

    private static Task<NodeHarness> KernelNodeAsync() => NodeHarness.CreateAsync(attachments: hcn => new ModelledInterfaces(hcn));

    private static async Task<HostComputeEndpoint> PodEndpointAsync(NodeHarness node) =>
        (await node.EndpointsAsync()).Single(e => EndpointNames.IsOwned(e.Name, NodeHarness.NetworkName));

    private static string? PortNameOf(HostComputeEndpoint endpoint) =>
        (endpoint.Policies ?? []).Select(p => p.GetSettings<PortNamePolicySetting>()?.Name).FirstOrDefault(n => n is not null);
}
