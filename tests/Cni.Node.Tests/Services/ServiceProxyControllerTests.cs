using Cni.Hcn.Errors;
using Cni.Hcn.Memory;
using Cni.Hcn.Model.Policies;
using Cni.Node.Services;
using k8s.Models;
using F = Cni.Node.Tests.Services.ServiceProxyControllerFixture;
using H = Cni.Node.Tests.Services.ServiceProxyHarness;

namespace Cni.Node.Tests.Services;

[TestFixture]
public sealed class ServiceProxyControllerTests
{
    private static V1Service Web() => ServiceBuilder.ClusterIp().Port("http", 80, 8080).Build();

    private static V1EndpointSlice WebSlice(params string[] pods)
    {
        var slice = SliceBuilder.V4().Port("http", 8080);
        foreach (var pod in pods)
        {
            slice.Endpoint(pod, pod.StartsWith("10.244.1.", StringComparison.Ordinal) ? NodeFactsBuilder.Self : H.PeerNode);
        }

        return slice.Build();
    }

    [Test]
    public async Task ExecuteAsync_NodeCacheNotSynced_NoPassUntilItIs()
    {
        await using var f = await F.StartAsync([Web()], [WebSlice(H.LocalPodA)], holdNodes: true);
        await Task.Delay(300);
        Assert.That(f.Controller.IsSynced, Is.False);
        Assert.That(f.Controller.Passes, Is.Zero);
        Assert.That(await f.Harness.LoadBalancersAsync(), Is.Empty);

        f.Nodes.ReleaseList();
        await f.WaitForPassesAsync(1);

        Assert.That(f.Controller.IsSynced, Is.True);
        Assert.That(await f.Harness.LoadBalancersAsync(), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task ExecuteAsync_Disabled_NoPass()
    {
        await using var f = await F.StartAsync([Web()], [WebSlice(H.LocalPodA)], enabled: false);
        await Task.Delay(300);

        Assert.That(f.Controller.Passes, Is.Zero);
        Assert.That(await f.Harness.LoadBalancersAsync(), Is.Empty);
    }

    [Test]
    public async Task ExecuteAsync_ServiceAndSliceAdded_LoadBalancerCreated()
    {
        await using var f = await F.StartAsync([], []);
        await f.WaitForPassesAsync(1);

        f.Services.Apply(Web());
        f.Slices.Apply(WebSlice(H.LocalPodA));
        
        // The two events may land in one pass or two.
        await f.NextPassAsync();
        if ((await f.Harness.LoadBalancersAsync()).Count == 0)
        {
            await f.NextPassAsync();
        }


        var lb = (await f.Harness.LoadBalancersAsync()).Single();
        Assert.That(lb.FrontendVips, Is.EqualTo(new[] { ServiceBuilder.ClusterIpV4 }));
        Assert.That(lb.HostComputeEndpoints, Is.EqualTo(new[] { f.LocalPodA }));
        Assert.That(f.Controller.LastReport!.Created, Is.EqualTo(1));
    }

    [Test]
    public async Task ExecuteAsync_EndpointSliceUpdated_BackendsChange()
    {
        await using var f = await F.StartAsync([Web()], [WebSlice(H.LocalPodA)]);
        await f.WaitForPassesAsync(1);

        f.Slices.Apply(WebSlice(H.LocalPodB));
        await f.NextPassAsync();

        Assert.That((await f.Harness.LoadBalancersAsync()).Single().HostComputeEndpoints, Is.EqualTo(new[] { f.LocalPodB }));
    }

    [Test]
    public async Task ExecuteAsync_BurstOfFiftyEvents_CoalescedIntoFewPasses()
    {
        await using var f = await F.StartAsync([Web()], [WebSlice(H.LocalPodA)]);
        await f.WaitForPassesAsync(1);

        for (var i = 0; i < 50; i++)
        {
            f.Slices.Apply(WebSlice(i % 2 == 0 ? H.LocalPodA : H.LocalPodB));
        }

        // The clock stands still, so every event lands inside the minimum interval after the first pass.
        await Task.Delay(300);
        Assert.That(f.Controller.Passes, Is.EqualTo(1));
        f.Advance();
        await f.WaitForPassesAsync(2);
        f.Advance();
        await Task.Delay(300);

        Assert.That(f.Controller.Passes - 1, Is.InRange(1, 2));
        Assert.That((await f.Harness.LoadBalancersAsync()).Single().HostComputeEndpoints, Is.EqualTo(new[] { f.LocalPodB }));
    }

    [Test]
    public async Task ExecuteAsync_EventsDuringRunningPass_ExactlyOneMorePass()
    {
        await using var f = await F.StartAsync([Web()], [WebSlice(H.LocalPodA)]);
        await f.WaitForPassesAsync(1);

        // The harness's MemoryHcn runs on the system clock: the next pass holds in its load-balancer write.
        f.Harness.Hcn.SetLatency(MemoryHcnOperation.ModifyLoadBalancer, TimeSpan.FromSeconds(1));
        f.Slices.Apply(WebSlice(H.LocalPodB));
        f.Advance();
        await Kubernetes.KubernetesTestObjects.WaitUntilAsync(
            () => f.Harness.Hcn.GetCallCount(MemoryHcnOperation.ModifyLoadBalancer) == 1, "the second pass to be modifying the load balancer");
        for (var i = 0; i < 10; i++)
        {
            f.Slices.Apply(WebSlice(i % 2 == 0 ? H.LocalPodA : H.LocalPodB));
        }

        f.Harness.Hcn.SetLatency(MemoryHcnOperation.ModifyLoadBalancer, null);
        f.Advance();
        await f.WaitForPassesAsync(3);
        f.Advance();
        await Task.Delay(300);

        Assert.That(f.Controller.Passes, Is.EqualTo(3));
        Assert.That((await f.Harness.LoadBalancersAsync()).Single().HostComputeEndpoints, Is.EqualTo(new[] { f.LocalPodB }));
    }

    [Test]
    public async Task ExecuteAsync_LoadBalancerDeletedOutOfBand_ResyncRecreatesIt()
    {
        var resync = TimeSpan.FromSeconds(30);
        await using var f = await F.StartAsync([Web()], [WebSlice(H.LocalPodA)], resync);
        await f.WaitForPassesAsync(1);
        await f.Harness.Hcn.DeleteLoadBalancerAsync((await f.Harness.LoadBalancersAsync()).Single().Id, CancellationToken.None);

        f.Advance(resync);
        await f.WaitForPassesAsync(2);

        Assert.That(await f.Harness.LoadBalancersAsync(), Has.Count.EqualTo(1));
        Assert.That(f.Controller.LastReport!.Created, Is.EqualTo(1));
    }

    [Test]
    public async Task ExecuteAsync_PassFails_LaterPassSucceeds()
    {
        await using var f = await F.StartAsync([Web()], [WebSlice(H.LocalPodA)], holdNodes: true);
        f.Harness.Hcn.FailNext(MemoryHcnOperation.EnumerateEndpoints, 1, HcnErrorCodes.Fail);
        f.Nodes.ReleaseList();
        await f.WaitForPassesAsync(1);
        Assert.That(f.Controller.LastReport, Is.Null);
        Assert.That(await f.Harness.LoadBalancersAsync(), Is.Empty);

        f.Slices.Apply(WebSlice(H.LocalPodA));
        await f.NextPassAsync();

        Assert.That(await f.Harness.LoadBalancersAsync(), Has.Count.EqualTo(1));
        Assert.That(f.Controller.LastReport, Is.Not.Null);
    }

    [Test]
    public async Task ExecuteAsync_SlicesOfOtherNamespaceOrService_NotMatched()
    {
        const string OtherIp = "10.96.0.20";
        var other = ServiceBuilder.ClusterIp().Port("http", 80, 8080).ClusterIps(OtherIp).Build();
        other.Metadata.NamespaceProperty = "other";
        var otherSlice = WebSlice(H.LocalPodB);
        otherSlice.Metadata.NamespaceProperty = "other";
        var straySlice = SliceBuilder.V4("api-v4").Port("http", 8080).Endpoint(H.LocalPodB, NodeFactsBuilder.Self).Build();
        straySlice.Metadata.Labels[ServiceProxyController.ServiceNameLabel] = "api";

        await using var f = await F.StartAsync([Web(), other], [WebSlice(H.LocalPodA), otherSlice, straySlice]);
        await f.WaitForPassesAsync(1);

        var lbs = await f.Harness.LoadBalancersAsync();
        Assert.That(lbs.Single(lb => lb.FrontendVips!.Contains(ServiceBuilder.ClusterIpV4)).HostComputeEndpoints, Is.EqualTo(new[] { f.LocalPodA }));
        Assert.That(lbs.Single(lb => lb.FrontendVips!.Contains(OtherIp)).HostComputeEndpoints, Is.EqualTo(new[] { f.LocalPodB }));
    }

    [Test]
    public async Task ExecuteAsync_RemoteBackend_ProviderAddressFromPeerFlannelAnnotation()
    {
        const string PeerPublicIp = "192.0.2.77";
        await using var f = await F.StartAsync([Web()], [WebSlice(H.RemotePodA)], peerPublicIp: PeerPublicIp);
        await f.WaitForPassesAsync(1);

        var remote = (await f.Harness.RemoteEndpointsAsync()).Single();
        Assert.That(remote.Policies!.Single().GetSettings<ProviderAddressPolicySetting>()!.ProviderAddress, Is.EqualTo(PeerPublicIp));
    }
}
