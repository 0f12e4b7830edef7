using Cni.Node.Services;
using k8s.Models;
using F = Cni.Node.Tests.Services.ServiceProxyControllerFixture;
using H = Cni.Node.Tests.Services.ServiceProxyHarness;

namespace Cni.Node.Tests.Services;

/// <summary>Through the controller: the translation cache and the trusted view never hide a change, and the resync still comes.</summary>
[TestFixture]
public sealed class ServiceProxyControllerCacheTests
{
    private static V1Service Web(int port = 80) => ServiceBuilder.ClusterIp().Port("http", port, 8080).Build();

    private static V1EndpointSlice WebSlice(params string[] pods)
    {
        var slice = SliceBuilder.V4().Port("http", 8080);
        foreach (var pod in pods)
        {
            slice.Endpoint(pod, NodeFactsBuilder.Self);
        }

        return slice.Build();
    }

    [Test]
    public async Task ExecuteAsync_ServiceEdited_LoadBalancerFollowsWithoutListing()
    {
        await using var f = await F.StartAsync([Web()], [WebSlice(H.LocalPodA)]);
        await f.WaitForPassesAsync(1);
        f.Harness.Hcn.ResetCallCounts();

        f.Services.Apply(Web(port: 81));
        await f.NextPassAsync();

        Assert.That(f.Harness.Listings, Is.Zero);
        Assert.That(f.Controller.LastReport!.Listed, Is.False);
        Assert.That((await f.Harness.LoadBalancersAsync()).Single().PortMappings![0].ExternalPort, Is.EqualTo(81));
    }

    [Test]
    public async Task ExecuteAsync_SliceEdited_BackendsFollowAndNoListing()
    {
        await using var f = await F.StartAsync([Web()], [WebSlice(H.LocalPodA)]);
        await f.WaitForPassesAsync(1);
        f.Harness.Hcn.ResetCallCounts();

        f.Slices.Apply(WebSlice(H.LocalPodA, H.LocalPodB));
        await f.NextPassAsync();

        Assert.That(f.Harness.Listings, Is.Zero);
        Assert.That((await f.Harness.LoadBalancersAsync()).Single().HostComputeEndpoints, Is.EquivalentTo(new[] { f.LocalPodA, f.LocalPodB }));
    }

    [Test]
    public async Task ExecuteAsync_NodeZoneLabelChanged_ZoneHintsFollow()
    {
        var hinted = SliceBuilder.V4().Port("http", 8080)
            .Endpoint(H.LocalPodA, NodeFactsBuilder.Self, zones: ["z1"])
            .Endpoint(H.LocalPodB, NodeFactsBuilder.Self, zones: ["z2"])
            .Build();
        await using var f = await F.StartAsync([Web()], [hinted]);
        await f.WaitForPassesAsync(1);
        Assert.That((await f.Harness.LoadBalancersAsync()).Single().HostComputeEndpoints, Is.EqualTo(new[] { f.LocalPodA }));

        f.Nodes.Apply(F.SelfNode(zone: "z2"));
        await f.NextPassAsync();

        Assert.That((await f.Harness.LoadBalancersAsync()).Single().HostComputeEndpoints, Is.EqualTo(new[] { f.LocalPodB }));
    }

    [Test]
    public async Task ExecuteAsync_OutOfBandDeleteWhileEventsKeepComing_ResyncStillRepairsIt()
    {
        var resync = TimeSpan.FromSeconds(5);
        await using var f = await F.StartAsync([Web()], [WebSlice(H.LocalPodA)], resync);
        await f.WaitForPassesAsync(1);
        await f.Harness.Hcn.DeleteLoadBalancerAsync((await f.Harness.LoadBalancersAsync()).Single().Id, CancellationToken.None);

        // An event every second: never 5 s without one, yet the resync is due 5 s after the last.
        var listed = new List<bool>();
        for (var i = 0; i < 6; i++)
        {
            f.Slices.Apply(WebSlice(i % 2 == 0 ? H.LocalPodB : H.LocalPodA));
            await f.NextPassAsync();
            listed.Add(f.Controller.LastReport!.Listed);
        }

        Assert.That(listed, Does.Contain(true));
        Assert.That(await f.Harness.LoadBalancersAsync(), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task ExecuteAsync_EventPassesAfterResync_DeletedLoadBalancerNotHiddenAtTheNextResync()
    {
        var resync = TimeSpan.FromSeconds(30);
        var other = ServiceBuilder.ClusterIp().Named("api", "10.96.0.20").Port("http", 80, 8080).Build();
        await using var f = await F.StartAsync([Web(), other], [WebSlice(H.LocalPodA)], resync);
        await f.WaitForPassesAsync(1);
        var lbs = await f.Harness.LoadBalancersAsync();
        await f.Harness.Hcn.DeleteLoadBalancerAsync(lbs.Single().Id, CancellationToken.None);
        f.Slices.Apply(WebSlice(H.LocalPodA));
        await f.NextPassAsync();
        Assert.That(await f.Harness.LoadBalancersAsync(), Is.Empty, "an event pass trusts its view");

        f.Advance(resync);
        await f.WaitForPassesAsync(3);

        Assert.That(await f.Harness.LoadBalancersAsync(), Has.Count.EqualTo(1));
        Assert.That(f.Controller.LastReport!.Listed, Is.True);
    }

    [Test]
    public async Task ExecuteAsync_SliceRelabelledToAnotherService_BothServicesFollow()
    {
        var api = ServiceBuilder.ClusterIp().Named("api", "10.96.0.20").Port("http", 80, 8080).Build();
        await using var f = await F.StartAsync([Web(), api], [WebSlice(H.LocalPodA)]);
        await f.WaitForPassesAsync(1);
        Assert.That((await f.Harness.LoadBalancersAsync()).Single().FrontendVips, Is.EqualTo(new[] { ServiceBuilder.ClusterIpV4 }));

        var moved = WebSlice(H.LocalPodA);
        moved.Metadata.Labels[ServiceProxyController.ServiceNameLabel] = "api";
        f.Slices.Apply(moved);
        await f.NextPassAsync();

        Assert.That((await f.Harness.LoadBalancersAsync()).Single().FrontendVips, Is.EqualTo(new[] { "10.96.0.20" }));
        Assert.That(f.Controller.LastReport!.Listed, Is.False);
    }

    [Test]
    public async Task ExecuteAsync_Restart_AdoptsEverythingWithZeroWrites()
    {
        var api = ServiceBuilder.ClusterIp().Named("api", "10.96.0.20").Port("http", 80, 8080).Build();
        var apiSlice = SliceBuilder.V4("api-v4").Port("http", 8080).Endpoint(H.RemotePodA, H.PeerNode).Build();
        apiSlice.Metadata.Labels[ServiceProxyController.ServiceNameLabel] = "api";
        await using var f = await F.StartAsync([Web(), api], [WebSlice(H.LocalPodA), apiSlice]);
        await f.WaitForPassesAsync(1);
        f.Harness.Hcn.ResetCallCounts();

        await f.RestartControllerAsync();
        await f.WaitForPassesAsync(1);

        Assert.That(f.Harness.Writes, Is.Zero);
        Assert.That((f.Controller.LastReport!.Unchanged, f.Controller.LastReport.Listed), Is.EqualTo((2, true)));
    }
}
