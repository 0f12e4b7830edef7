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

    /// <summary>kubernetes pkg/proxy/topology.go's all-or-nothing rules, one row each: endpoints, node zone → mode and cluster endpoints.</summary>
    private static IEnumerable<TestCaseData> HintCases()
    {
        const string L = "10.244.1.1", R = "10.244.2.1";
        TestCaseData Row(string name, SliceBuilder slice, string? zone, TopologyMode mode, params string[] cluster) =>
            new TestCaseData(slice, zone, mode, cluster).SetName("Select_" + name);

        yield return Row("ZoneHintsForThisZone_OnlyThoseEndpoints", Slice().Endpoint(L, Self, zones: ["z1"]).Endpoint(R, "n2", zones: ["z2"]), Zone, TopologyMode.Zone, L);
        yield return Row("NoHints_TopologyOff", Slice().Endpoint(L, Self).Endpoint(R, "n2"), Zone, TopologyMode.None, L, R);
        yield return Row("OneReadyEndpointWithoutHint_AllHintsIgnored", Slice().Endpoint(L, Self, zones: ["z1"]).Endpoint(R, "n2"), Zone, TopologyMode.None, L, R);
        yield return Row("NoHintForThisZone_AllHintsIgnored", Slice().Endpoint(L, Self, zones: ["z2"]).Endpoint(R, "n2", zones: ["z3"]), Zone, TopologyMode.None, L, R);
        yield return Row("NodeWithoutZoneLabel_ZoneHintsIgnored", Slice().Endpoint(L, Self, zones: ["z1"]).Endpoint(R, "n2", zones: ["z2"]), null, TopologyMode.None, L, R);
        yield return Row(
            "HintlessEndpointNotReady_DoesNotSpoilHints",
            Slice().Endpoint(L, Self, zones: ["z1"]).Endpoint(R, "n2", zones: ["z2"]).Endpoint("10.244.2.2", "n2", EndpointState.NotReady),
            Zone,
            TopologyMode.Zone,
            L);
        yield return Row("NodeHintsForThisNode_PreferSameNode", Slice().Endpoint(L, Self, zones: ["z1"], forNodes: [Self]).Endpoint(R, "n2", zones: ["z1"], forNodes: ["n2"]), Zone, TopologyMode.Node, L);
        yield return Row("NodeHintsNotForThisNode_FallsBackToZoneHints", Slice().Endpoint(L, "n3", zones: ["z1"], forNodes: ["n3"]).Endpoint(R, "n2", zones: ["z2"], forNodes: ["n2"]), Zone, TopologyMode.Zone, L);
    }

    [TestCaseSource(nameof(HintCases))]
    public void Select_Hints(SliceBuilder slice, string? zone, TopologyMode mode, string[] cluster)
    {
        var selection = Select(slice, zone);

        Assert.That(selection.Topology, Is.EqualTo(mode));
        Assert.That(Addresses(selection.Cluster), Is.EqualTo(cluster));
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
