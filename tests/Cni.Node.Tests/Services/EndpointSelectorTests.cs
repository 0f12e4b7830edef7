using System.Net.Sockets;
using Cni.Node.Services;
using HcnProtocol = Cni.Hcn.Model.Policies.ProtocolType;

namespace Cni.Node.Tests.Services;

public sealed class EndpointSelectorTests
{
    private const string Self = "self";
    private const string Zone = "z1";

    private static EndpointSelection Select(SliceBuilder slice, string? zone = Zone) =>
        EndpointSelector.Select(EndpointSliceMerger.Merge([slice.Build()], "http", HcnProtocol.Tcp, AddressFamily.InterNetwork, Self), Self, zone);

    private static SliceBuilder Slice() => SliceBuilder.V4().Port("http", 8080);

    private static string[] Addresses(IReadOnlyList<ServiceEndpoint> endpoints) => [.. endpoints.Select(e => e.Address.ToString())];

    [Test]
    public void Select_SomeReady_ReadyOnlyEverywhere()
    {
        var selection = Select(Slice()
            .Endpoint("10.244.1.1", Self)
            .Endpoint("10.244.1.2", Self, EndpointState.ServingTerminating)
            .Endpoint("10.244.2.1", "n2")
            .Endpoint("10.244.2.2", "n2", EndpointState.NotReady));

        Assert.That(Addresses(selection.Cluster), Is.EqualTo(new[] { "10.244.1.1", "10.244.2.1" }));
        Assert.That(Addresses(selection.Local), Is.EqualTo(new[] { "10.244.1.1" }));
        Assert.That(selection.HasUsableEndpoints, Is.True);
    }

    [Test]
    public void Select_NoneReady_FallsBackToServingTerminating()
    {
        var selection = Select(Slice()
            .Endpoint("10.244.1.1", Self, EndpointState.ServingTerminating)
            .Endpoint("10.244.2.1", "n2", EndpointState.ServingTerminating)
            .Endpoint("10.244.2.2", "n2", EndpointState.NotServingTerminating)
            .Endpoint("10.244.2.3", "n2", EndpointState.NotReady));

        Assert.That(Addresses(selection.Cluster), Is.EqualTo(new[] { "10.244.1.1", "10.244.2.1" }));
        Assert.That(Addresses(selection.Local), Is.EqualTo(new[] { "10.244.1.1" }));
    }

    [Test]
    public void Select_NothingServing_NothingSelectedNotUsable()
    {
        var selection = Select(Slice()
            .Endpoint("10.244.1.1", Self, EndpointState.NotReady)
            .Endpoint("10.244.2.1", "n2", EndpointState.NotServingTerminating));

        Assert.That(selection.Cluster, Is.Empty);
        Assert.That(selection.Local, Is.Empty);
        Assert.That(selection.HasUsableEndpoints, Is.False);
    }

    [Test]
    public void Select_LocalOnlyTerminatingButRemoteReady_LocalFallsBackAlone()
    {
        var selection = Select(Slice()
            .Endpoint("10.244.1.1", Self, EndpointState.ServingTerminating)
            .Endpoint("10.244.2.1", "n2"));

        Assert.That(Addresses(selection.Cluster), Is.EqualTo(new[] { "10.244.2.1" }));
        Assert.That(Addresses(selection.Local), Is.EqualTo(new[] { "10.244.1.1" }));
    }

    [Test]
    public void Select_NoLocalEndpoints_LocalEmptyButUsable()
    {
        var selection = Select(Slice().Endpoint("10.244.2.1", "n2"));

        Assert.That(selection.Local, Is.Empty);
        Assert.That(selection.HasUsableEndpoints, Is.True);
    }

    [Test]
    public void Select_ZoneHintsForThisZone_OnlyThoseEndpoints()
    {
        var selection = Select(Slice()
            .Endpoint("10.244.1.1", Self, zones: ["z1"])
            .Endpoint("10.244.2.1", "n2", zones: ["z2"]));

        Assert.That(selection.Topology, Is.EqualTo(TopologyMode.Zone));
        Assert.That(Addresses(selection.Cluster), Is.EqualTo(new[] { "10.244.1.1" }));
    }

    [Test]
    public void Select_NoHints_TopologyOff()
    {
        var selection = Select(Slice().Endpoint("10.244.1.1", Self).Endpoint("10.244.2.1", "n2"));

        Assert.That(selection.Topology, Is.EqualTo(TopologyMode.None));
        Assert.That(selection.Cluster, Has.Count.EqualTo(2));
    }

    [Test]
    public void Select_OneReadyEndpointWithoutHint_AllHintsIgnored()
    {
        var selection = Select(Slice()
            .Endpoint("10.244.1.1", Self, zones: ["z1"])
            .Endpoint("10.244.2.1", "n2"));

        Assert.That(selection.Topology, Is.EqualTo(TopologyMode.None));
        Assert.That(selection.Cluster, Has.Count.EqualTo(2));
    }

    [Test]
    public void Select_NoHintForThisZone_AllHintsIgnored()
    {
        var selection = Select(Slice()
            .Endpoint("10.244.1.1", Self, zones: ["z2"])
            .Endpoint("10.244.2.1", "n2", zones: ["z3"]));

        Assert.That(selection.Topology, Is.EqualTo(TopologyMode.None));
        Assert.That(selection.Cluster, Has.Count.EqualTo(2));
    }

    [Test]
    public void Select_NodeWithoutZoneLabel_ZoneHintsIgnored()
    {
        var selection = Select(Slice().Endpoint("10.244.1.1", Self, zones: ["z1"]).Endpoint("10.244.2.1", "n2", zones: ["z2"]), zone: null);

        Assert.That(selection.Topology, Is.EqualTo(TopologyMode.None));
        Assert.That(selection.Cluster, Has.Count.EqualTo(2));
    }

    [Test]
    public void Select_HintlessEndpointNotReady_DoesNotSpoilHints()
    {
        var selection = Select(Slice()
            .Endpoint("10.244.1.1", Self, zones: ["z1"])
            .Endpoint("10.244.2.1", "n2", zones: ["z2"])
            .Endpoint("10.244.2.2", "n2", EndpointState.NotReady));

        Assert.That(selection.Topology, Is.EqualTo(TopologyMode.Zone));
        Assert.That(Addresses(selection.Cluster), Is.EqualTo(new[] { "10.244.1.1" }));
    }

    [Test]
    public void Select_NodeHintsForThisNode_PreferSameNode()
    {
        var selection = Select(Slice()
            .Endpoint("10.244.1.1", Self, zones: ["z1"], forNodes: [Self])
            .Endpoint("10.244.1.2", "n2", zones: ["z1"], forNodes: ["n2"]));

        Assert.That(selection.Topology, Is.EqualTo(TopologyMode.Node));
        Assert.That(Addresses(selection.Cluster), Is.EqualTo(new[] { "10.244.1.1" }));
    }

    [Test]
    public void Select_NodeHintsNotForThisNode_FallsBackToZoneHints()
    {
        var selection = Select(Slice()
            .Endpoint("10.244.1.1", "n3", zones: ["z1"], forNodes: ["n3"])
            .Endpoint("10.244.1.2", "n2", zones: ["z2"], forNodes: ["n2"]));

        Assert.That(selection.Topology, Is.EqualTo(TopologyMode.Zone));
        Assert.That(Addresses(selection.Cluster), Is.EqualTo(new[] { "10.244.1.1" }));
    }

    [Test]
    public void Select_HintsDoNotNarrowLocal()
    {
        var selection = Select(Slice()
            .Endpoint("10.244.1.1", Self, zones: ["z2"])
            .Endpoint("10.244.2.1", "n2", zones: ["z1"]));

        Assert.That(Addresses(selection.Cluster), Is.EqualTo(new[] { "10.244.2.1" }));
        Assert.That(Addresses(selection.Local), Is.EqualTo(new[] { "10.244.1.1" }));
    }
}
