using Cni.Hcn.Errors;
using Cni.Hcn.Kernel.Naming;
using Cni.Hcn.Kernel.Tests.Support;
using Cni.Hcn.Model;
using Cni.Hcn.Model.Policies;

namespace Cni.Hcn.Kernel.Tests.Packets;

/// <summary>
/// The kernel is the truth about attachments: what a restart finds (interfaces lost, half-made, held by stale pairs,
/// namespaces gone) is checked against the records and repaired or dropped; <see cref="KernelHcn.VerifyAsync"/> and
/// <see cref="KernelHcn.RepairAsync"/> say and fix what differs; several attachments share one pod, each under its name.
/// </summary>
[TestFixture]
[Category("Kernel")]
[NonParallelizable]
public sealed class KernelHcnAttachmentTruthTests
{
    private const string Gateway = "10.205.0.1";

    private TestNetns _netns = null!;
    private string _node = null!;
    private string _state = null!;
    private KernelHcn _hcn = null!;
    private IHcn Hcn => _hcn;

    [SetUp]
    public void SetUp()
    {
        KernelTestGuard.Require();
        _netns = new TestNetns();
        _node = _netns.Create("at-node");
        _state = Directory.CreateTempSubdirectory("wincni-kernel-at-").FullName;
        _hcn = NewInstance();
    }

    [TearDown]
    public void TearDown()
    {
        _hcn?.Dispose();
        _netns?.Dispose();
        if (_state is not null)
        {
            Directory.Delete(_state, recursive: true);
        }
    }

    [Test]
    [CancelAfter(30_000)]
    public async Task Restart_PodInterfaceLostItsAddressAndWentDown_RepairedAtStart(CancellationToken cancellationToken)
    {
        var (_, endpoint, _) = await AttachedPodAsync("at-pod", "10.205.0.5", cancellationToken);
        _hcn.Dispose();
        _netns.Ip("at-pod", "addr flush dev eth0");
        _netns.Ip("at-pod", "link set eth0 down");

        _hcn = NewInstance();
        await Hcn.GetEndpointAsync(endpoint.Id, cancellationToken);

        AssertConfigured("at-pod", "eth0", "10.205.0.5/24");
        Assert.That(_hcn.AttachmentsRepaired, Is.EqualTo(1));
    }

    [Test]
    [CancelAfter(30_000)]
    public async Task Restart_ContainerSideStillInTheNode_MovedInAndConfigured(CancellationToken cancellationToken)
    {
        // What a kill between "pair made in the node" and "moved into the pod" leaves, with the records saying attached.
        var (_, endpoint, _) = await AttachedPodAsync("at-half", "10.205.0.6", cancellationToken);
        _hcn.Dispose();
        var peer = DeviceNames.PeerVeth(endpoint.Id);
        _netns.Ip("at-half", "link set eth0 down");
        _netns.Ip("at-half", $"link set eth0 name {peer}");
        _netns.Ip("at-half", $"link set {peer} netns {_netns.NameOf("at-node")}");
        Assert.That(_netns.Ip("at-half", "-o link show"), Does.Not.Contain(peer).And.Not.Contain("eth0"));

        _hcn = NewInstance();
        await Hcn.GetEndpointAsync(endpoint.Id, cancellationToken);

        AssertConfigured("at-half", "eth0", "10.205.0.6/24");
        Assert.That(_netns.Ip("at-node", "-o link show"), Does.Not.Contain(peer));
    }

    [Test]
    [CancelAfter(30_000)]
    public async Task Restart_PodInterfaceGoneAndItsNameHeldByAStalePair_StalePairRemovedAndInterfaceMadeAgain(CancellationToken cancellationToken)
    {
        var (network, endpoint, _) = await AttachedPodAsync("at-stale", "10.205.0.7", cancellationToken);
        _hcn.Dispose();

        // The endpoint's pair is gone, and a wincni-named pair no endpoint owns (a crash's leftover) holds eth0 in the pod.
        _netns.Ip("at-stale", "link del eth0");
        var stale = DeviceNames.HostVeth(Guid.NewGuid());
        _netns.Ip("at-node", $"link add {stale} type veth peer name eth0 netns {_netns.NameOf("at-stale")}");
        _netns.Ip("at-node", $"link set {stale} master {DeviceNames.Bridge(network.Name!)} up");

        _hcn = NewInstance();
        await Hcn.GetEndpointAsync(endpoint.Id, cancellationToken);
        await _hcn.WaitForRetiredLinksAsync(cancellationToken);

        AssertConfigured("at-stale", "eth0", "10.205.0.7/24");
        Assert.That(_netns.Ip("at-node", "-o link show"), Does.Not.Contain(stale).And.Contain(DeviceNames.HostVeth(endpoint.Id)));
        Assert.That(_hcn.StaleLinksRemoved, Is.EqualTo(1));
    }

    [Test]
    [CancelAfter(30_000)]
    public async Task Restart_PodNamespaceGone_AttachmentDroppedAndCounted(CancellationToken cancellationToken)
    {
        var (_, endpoint, ns) = await AttachedPodAsync("at-gone", "10.205.0.8", cancellationToken);
        _hcn.Dispose();
        _netns.Delete("at-gone");

        _hcn = NewInstance();
        var after = await Hcn.GetEndpointAsync(endpoint.Id, cancellationToken);
        var state = await _hcn.VerifyAsync(endpoint.Id, cancellationToken);

        Assert.That(after.HostComputeNamespace, Is.EqualTo(Guid.Empty), "detached: nothing can be realized for it");
        Assert.That((await Hcn.GetNamespaceAsync(ns.Id, cancellationToken)).Resources ?? [], Has.None.Matches<NamespaceResource>(r => r.Type == NamespaceResourceType.Endpoint));
        Assert.That(_hcn.AttachmentsDropped, Is.EqualTo(1));
        Assert.That(state.IsIntact, Is.True, "an endpoint attached nowhere has nothing to verify");
    }

    [Test]
    [CancelAfter(30_000)]
    public async Task Verify_AttachedAsRecorded_IntactWithTheInterfaceAddressAndRoute(CancellationToken cancellationToken)
    {
        var (_, endpoint, ns) = await AttachedPodAsync("at-ok", "10.205.0.9", cancellationToken);

        var state = await _hcn.VerifyAsync(endpoint.Id, cancellationToken);

        Assert.That(state.Problems, Is.Empty);
        Assert.That(state.NamespaceId, Is.EqualTo(ns.Id));
        Assert.That(state.InterfaceName, Is.EqualTo("eth0"));
        Assert.That(state.InterfaceFound, Is.True);
        Assert.That(state.Up, Is.True);
        Assert.That(state.MacAddress, Is.EqualTo(endpoint.MacAddress));
        Assert.That(state.IpConfigurations.Select(c => $"{c.IpAddress}/{c.PrefixLength}"), Does.Contain("10.205.0.9/24"));
        Assert.That(state.Routes.Select(r => $"{r.DestinationPrefix} via {r.NextHop}"), Does.Contain($"0.0.0.0/0 via {Gateway}"));
    }

    [Test]
    [CancelAfter(30_000)]
    public async Task VerifyThenRepair_InterfaceDeletedOutOfBand_ProblemNamedThenInterfaceBack(CancellationToken cancellationToken)
    {
        var (_, endpoint, _) = await AttachedPodAsync("at-oob", "10.205.0.10", cancellationToken);
        _netns.Ip("at-oob", "link del eth0");

        var broken = await _hcn.VerifyAsync(endpoint.Id, cancellationToken);
        var repaired = await _hcn.RepairAsync(endpoint.Id, cancellationToken);

        Assert.That(broken.IsIntact, Is.False);
        Assert.That(broken.InterfaceFound, Is.False);
        Assert.That(broken.Problems, Has.Some.Contains("no interface eth0 in network namespace " + _netns.PathOf("at-oob")));
        Assert.That(repaired.Problems, Is.Empty);
        AssertConfigured("at-oob", "eth0", "10.205.0.10/24");
        Assert.That(Traffic.Ping(_netns.PathOf("at-oob"), Gateway), Is.True, "the repaired pod reaches its gateway");
    }

    [Test]
    [CancelAfter(30_000)]
    public async Task Verify_DefaultRouteDeletedOutOfBand_NamesTheRoute(CancellationToken cancellationToken)
    {
        var (_, endpoint, _) = await AttachedPodAsync("at-route", "10.205.0.11", cancellationToken);
        _netns.Ip("at-route", "route del default");

        var state = await _hcn.VerifyAsync(endpoint.Id, cancellationToken);

        Assert.That(state.Problems, Is.EqualTo(new[] { $"route 0.0.0.0/0 via {Gateway} is missing on eth0" }));
    }

    [Test]
    [CancelAfter(30_000)]
    public async Task Attach_SecondEndpointNamedNet1_BothInterfacesAndDeletingOneLeavesTheOther(CancellationToken cancellationToken)
    {
        var (network, first, ns) = await AttachedPodAsync("at-two", "10.205.0.12", cancellationToken);
        var second = await Hcn.CreateEndpointAsync(network.Id, new HostComputeEndpoint
        {
            Name = "at-net1",
            IpConfigurations = [new IpConfig { IpAddress = "10.205.0.13", PrefixLength = 24 }],
            Routes = [new Route { DestinationPrefix = "0.0.0.0/0", NextHop = Gateway }],
            Policies = [EndpointPolicy.Create(new PortNamePolicySetting { Name = "net1" })],
        }, cancellationToken);

        await Hcn.AddNamespaceEndpointAsync(ns.Id, second.Id, cancellationToken);
        AssertConfigured("at-two", "eth0", "10.205.0.12/24");
        AssertConfigured("at-two", "net1", "10.205.0.13/24");
        Assert.That((await _hcn.VerifyAsync(second.Id, cancellationToken)).InterfaceName, Is.EqualTo("net1"));
        await Hcn.DeleteEndpointAsync(second.Id, cancellationToken);
        await _hcn.WaitForRetiredLinksAsync(cancellationToken);

        Assert.That(_netns.Ip("at-two", "-o link show"), Does.Not.Contain("net1"));
        AssertConfigured("at-two", "eth0", "10.205.0.12/24");
        Assert.That((await _hcn.VerifyAsync(first.Id, cancellationToken)).Problems, Is.Empty);
    }

    [Test]
    [CancelAfter(30_000)]
    public async Task Attach_InterfaceNameHeldByAStaleWincniPair_PairRemovedAndAttached(CancellationToken cancellationToken)
    {
        var (network, endpoint) = await NetworkAndEndpointAsync("10.205.0.14", cancellationToken);
        var pod = _netns.Create("at-held");
        var stale = DeviceNames.HostVeth(Guid.NewGuid());
        _netns.Ip("at-node", $"link add {stale} type veth peer name eth0 netns {_netns.NameOf("at-held")}");
        _netns.Ip("at-node", $"link set {stale} master {DeviceNames.Bridge(network.Name!)} up");
        var ns = await AdoptNamespaceAsync(pod, cancellationToken);

        await Hcn.AddNamespaceEndpointAsync(ns.Id, endpoint.Id, cancellationToken);

        AssertConfigured("at-held", "eth0", "10.205.0.14/24");
        Assert.That(_netns.Ip("at-node", "-o link show"), Does.Not.Contain(stale));
    }

    [Test]
    [CancelAfter(30_000)]
    public async Task Attach_InterfaceNameHeldByAnotherEndpoint_FailsNamingThatEndpoint(CancellationToken cancellationToken)
    {
        var (network, first, ns) = await AttachedPodAsync("at-clash", "10.205.0.15", cancellationToken);
        var second = await Hcn.CreateEndpointAsync(network.Id, new HostComputeEndpoint
        {
            Name = "at-second",
            IpConfigurations = [new IpConfig { IpAddress = "10.205.0.16", PrefixLength = 24 }],
        }, cancellationToken);

        var ex = Assert.ThrowsAsync<HcnException>(() => Hcn.AddNamespaceEndpointAsync(ns.Id, second.Id, cancellationToken));

        Assert.That(ex!.HResult, Is.EqualTo(HcnErrorCodes.NamespaceAttachFailed), ex.Message);
        Assert.That(ex.Message, Does.Contain($"interface eth0 already exists in network namespace {_netns.PathOf("at-clash")}: it is the interface of endpoint {first.Id:D}"));
        AssertConfigured("at-clash", "eth0", "10.205.0.15/24");
    }

    private KernelHcn NewInstance() =>
        new(new KernelHcnOptions { StateDirectory = _state, HostNetnsPath = _node, NetnsNamePrefix = _netns.Prefix + "k-" });

    private void AssertConfigured(string pod, string name, string address)
    {
        var link = _netns.Ip(pod, $"-o link show {name}");
        Assert.That(link, Does.Contain("state UP").Or.Contain(",UP"), link);
        Assert.That(_netns.Ip(pod, $"-4 -o addr show {name}"), Does.Contain(address));
        Assert.That(_netns.Ip(pod, "-4 route show default"), Does.Contain($"default via {Gateway} dev {name}"));
    }

    private async Task<(HostComputeNetwork Network, HostComputeEndpoint Endpoint, HostComputeNamespace Namespace)> AttachedPodAsync(
        string pod, string ip, CancellationToken cancellationToken)
    {
        var (network, endpoint) = await NetworkAndEndpointAsync(ip, cancellationToken);
        var ns = await AdoptNamespaceAsync(_netns.Create(pod), cancellationToken);
        await Hcn.AddNamespaceEndpointAsync(ns.Id, endpoint.Id, cancellationToken);
        return (network, await Hcn.GetEndpointAsync(endpoint.Id, cancellationToken), ns);
    }

    private Task<HostComputeNamespace> AdoptNamespaceAsync(string netnsPath, CancellationToken cancellationToken) =>
        Hcn.CreateNamespaceAsync(new HostComputeNamespace
        {
            Type = NamespaceType.Host,
            Resources = [new NamespaceResource { Type = NamespaceResourceType.Container, Data = new() { Id = netnsPath } }],
        }, cancellationToken);

    private async Task<(HostComputeNetwork Network, HostComputeEndpoint Endpoint)> NetworkAndEndpointAsync(string ip, CancellationToken cancellationToken)
    {
        var network = (await Hcn.EnumerateNetworksAsync(HostComputeQuery.ByName("at-net"), cancellationToken)).FirstOrDefault()
            ?? await Hcn.CreateNetworkAsync(new HostComputeNetwork
            {
                Name = "at-net",
                Type = NetworkType.L2Bridge,
                Ipams = [new Ipam { Subnets = [new Subnet { IpAddressPrefix = "10.205.0.0/24", Routes = [new Route { NextHop = Gateway, DestinationPrefix = "0.0.0.0/0" }] }] }],
            }, cancellationToken);
        var endpoint = await Hcn.CreateEndpointAsync(network.Id, new HostComputeEndpoint
        {
            Name = "at-ep-" + ip,
            IpConfigurations = [new IpConfig { IpAddress = ip, PrefixLength = 24 }],
            Routes = [new Route { DestinationPrefix = "0.0.0.0/0", NextHop = Gateway }],
        }, cancellationToken);
        return (network, endpoint);
    }
}
