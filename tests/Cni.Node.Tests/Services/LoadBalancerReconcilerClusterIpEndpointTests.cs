using System.Net;
using Cni.Hcn.Errors;
using Cni.Hcn.Memory;
using Cni.Hcn.Model;
using Cni.Hcn.Model.Policies;
using Cni.Node.Services;
using H = Cni.Node.Tests.Services.ServiceProxyHarness;

namespace Cni.Node.Tests.Services;

/// <summary>Overlay ClusterIP VIP endpoints: one remote endpoint per cluster IP, host MAC, this node's address as provider address.</summary>
public sealed class LoadBalancerReconcilerClusterIpEndpointTests
{
    private const string ApiClusterIp = "10.96.0.20";

    private static readonly IPAddress WebVip = IPAddress.Parse(ServiceBuilder.ClusterIpV4);

    private static ServiceTranslation Web(params int[] ports)
    {
        var service = ServiceBuilder.ClusterIp();
        var slice = SliceBuilder.V4().Endpoint(H.LocalPodA, NodeFactsBuilder.Self);
        foreach (var port in ports.Length == 0 ? [80] : ports)
        {
            service.Port("p" + port, port, 8000 + port);
            slice.Port("p" + port, 8000 + port);
        }

        return H.Translate(service, slice);
    }

    private static ServiceTranslation Api() =>
        H.Translate(
            ServiceBuilder.ClusterIp().Named("api", ApiClusterIp).Port("http", 80, 8080),
            SliceBuilder.V4("api-v4").Port("http", 8080).Endpoint(H.RemotePodA, H.PeerNode));

    private static async Task<H> NodeAsync()
    {
        var node = await H.CreateAsync();
        await node.AddPodAsync(H.LocalPodA);
        return node;
    }

    private static string? ProviderAddressOf(HostComputeEndpoint endpoint) =>
        endpoint.Policies?.Select(p => p.GetSettings<ProviderAddressPolicySetting>()?.ProviderAddress).OfType<string>().SingleOrDefault();

    [Test]
    public async Task ReconcileAsync_OverlayClusterIp_CreatesRemoteVipEndpointWithHostMacAndNodeAddress()
    {
        var node = await NodeAsync();

        var report = await node.PassAsync(Web());

        Assert.That((report.VipEndpointsCreated, report.Failures.Count), Is.EqualTo((1, 0)));
        var vip = (await node.VipEndpointsAsync()).Single();
        Assert.That(vip.Id, Is.EqualTo(ClusterIpEndpointIds.IdOf(WebVip)));
        Assert.That(vip.Name, Is.EqualTo("wincni-svc-vip-" + ServiceBuilder.ClusterIpV4));
        Assert.That(vip.Flags, Is.EqualTo(EndpointFlags.RemoteEndpoint));
        Assert.That(vip.IpConfigurations!.Single().IpAddress, Is.EqualTo(ServiceBuilder.ClusterIpV4));
        Assert.That(vip.MacAddress, Is.EqualTo(H.HostMac));
        Assert.That(ProviderAddressOf(vip), Is.EqualTo(NodeFactsBuilder.NodeIpV4));
        Assert.That((await node.LoadBalancersAsync()).Single().HostComputeEndpoints, Does.Not.Contain(vip.Id), "not a backend");
    }

    [Test]
    public async Task ReconcileAsync_SourceVipEndpointHoldsTheHostMac_VipEndpointsCreatedToo()
    {
        var node = await NodeAsync();
        await node.Hcn.CreateEndpointAsync(
            node.NetworkId,
            new HostComputeEndpoint { Name = SourceVipEndpoint.Name, MacAddress = H.HostMac, IpConfigurations = [new IpConfig { IpAddress = "10.244.1.2" }] },
            CancellationToken.None);

        var report = await node.PassAsync(Web(), Api());

        Assert.That((report.VipEndpointsCreated, report.Failures.Count), Is.EqualTo((2, 0)));
        Assert.That((await node.VipEndpointsAsync()).Select(e => e.MacAddress), Is.All.EqualTo(H.HostMac));
    }

    [Test]
    public async Task ReconcileAsync_PortsOfOneClusterIp_ShareOneEndpointUntilTheLastGoes()
    {
        var node = await NodeAsync();
        var first = await node.IncrementalPassAsync(Web(80, 443));

        var onePort = await node.IncrementalPassAsync(Web(443));
        var kept = await node.VipEndpointsAsync();
        var gone = await node.IncrementalPassAsync();

        Assert.That(first.VipEndpointsCreated, Is.EqualTo(1));
        Assert.That((onePort.VipEndpointsCreated, onePort.VipEndpointsDeleted), Is.EqualTo((0, 0)));
        Assert.That(kept, Has.Count.EqualTo(1));
        Assert.That(gone.VipEndpointsDeleted, Is.EqualTo(1));
        Assert.That(await node.VipEndpointsAsync(), Is.Empty);
    }

    [Test]
    public async Task ReconcileAsync_ServiceRemovedInAnEventPass_OnlyItsVipEndpointDeleted()
    {
        var node = await NodeAsync();
        var api = Api();
        await node.PassAsync(Web(), api);

        var report = await node.IncrementalPassAsync(api);

        Assert.That(report.VipEndpointsDeleted, Is.EqualTo(1));
        Assert.That((await node.VipEndpointsAsync()).Single().Id, Is.EqualTo(ClusterIpEndpointIds.IdOf(IPAddress.Parse(ApiClusterIp))));
    }

    [Test]
    public async Task ReconcileAsync_UnchangedAndAfterRestart_ZeroWritesAndRecognisedAsOwn()
    {
        var node = await NodeAsync();
        ServiceTranslation[] services = [Web(), Api()];
        await node.PassAsync(services);
        node.Hcn.ResetCallCounts();

        await node.IncrementalPassAsync(services);
        await node.PassAsync(services);
        node.Restart();
        await node.PassAsync(services);
        var writesWhileUnchanged = node.Writes;
        var removed = await node.PassAsync(services[1]);

        Assert.That(writesWhileUnchanged, Is.Zero);
        Assert.That(removed.VipEndpointsDeleted, Is.EqualTo(1), "the restarted engine deletes its own");
    }

    [Test]
    public async Task ReconcileAsync_ForeignEndpointHoldsTheClusterIp_NoneCreatedAndItIsNeverTouched()
    {
        var node = await NodeAsync();
        var foreign = await node.Hcn.CreateEndpointAsync(
            node.NetworkId,
            new HostComputeEndpoint { Flags = EndpointFlags.RemoteEndpoint, IpConfigurations = [new IpConfig { IpAddress = ServiceBuilder.ClusterIpV4 }] },
            CancellationToken.None);

        var created = await node.PassAsync(Web());
        await node.PassAsync();

        Assert.That(created.VipEndpointsCreated, Is.Zero);
        Assert.That(await node.VipEndpointsAsync(), Is.Empty);
        Assert.That((await node.Hcn.GetEndpointAsync(foreign.Id, CancellationToken.None)).Id, Is.EqualTo(foreign.Id));
    }

    [Test]
    public async Task ReconcileAsync_L2Bridge_NoVipEndpointAndAnOverlayOneIsDeleted()
    {
        var node = await NodeAsync();
        var web = Web();
        await node.PassAsync(web);
        node.Overlay = false;

        var report = await node.PassAsync(web);
        var again = await node.PassAsync(web);

        Assert.That(report.VipEndpointsDeleted, Is.EqualTo(1));
        Assert.That(again.VipEndpointsCreated, Is.Zero);
        Assert.That(await node.VipEndpointsAsync(), Is.Empty);
    }

    [Test]
    public async Task ReconcileAsync_NodeAddressChanged_VipEndpointRecreatedWithTheNewAddress()
    {
        var node = await NodeAsync();
        var web = Web();
        await node.PassAsync(web);
        node.LocalProviderAddress = IPAddress.Parse("192.0.2.77");

        var report = await node.IncrementalPassAsync(web);

        Assert.That((report.VipEndpointsCreated, report.Failures.Count), Is.EqualTo((1, 0)));
        Assert.That(ProviderAddressOf((await node.VipEndpointsAsync()).Single()), Is.EqualTo("192.0.2.77"));
    }

    [Test]
    public async Task ReconcileAsync_VipEndpointCreateFails_LoadBalancerProgrammedAndEndpointRetriedAfterBackoff()
    {
        var node = await NodeAsync();
        var web = Web();
        node.Hcn.FailNext(MemoryHcnOperation.CreateEndpoint, 1, HcnErrorCodes.InvalidParameter);

        var failed = await node.IncrementalPassAsync(web);
        var waiting = await node.IncrementalPassAsync(web);
        node.Time.Advance(H.InitialBackoff);
        var retried = await node.IncrementalPassAsync(web);

        Assert.That(failed.Created, Is.EqualTo(1), "the load balancer does not wait for it");
        Assert.That(failed.Failures.Single().Key, Is.EqualTo("vip-endpoint/" + ServiceBuilder.ClusterIpV4));
        Assert.That((waiting.VipEndpointsCreated, waiting.Failures.Count), Is.EqualTo((0, 1)));
        Assert.That((retried.VipEndpointsCreated, retried.Failures.Count), Is.EqualTo((1, 0)));
        Assert.That(await node.VipEndpointsAsync(), Has.Count.EqualTo(1));
    }
}
