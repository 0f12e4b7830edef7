using System.Net.Sockets;
using Cni.Node.Services;
using k8s.Models;
using HcnProtocol = Cni.Hcn.Model.Policies.ProtocolType;

namespace Cni.Node.Tests.Services;

public sealed class EndpointSliceMergerTests
{
    private const string Self = "self";

    private static MergedEndpoints Merge(AddressFamily family, params V1EndpointSlice[] slices) =>
        EndpointSliceMerger.Merge(slices, "http", HcnProtocol.Tcp, family, Self);

    private static string[] Addresses(MergedEndpoints merged) => [.. merged.Endpoints.Select(e => e.Address.ToString())];

    [Test]
    public void Merge_TwoSlices_UnionOrderedByAddress()
    {
        var merged = Merge(
            AddressFamily.InterNetwork,
            SliceBuilder.V4("b").Port("http", 8080).Endpoint("10.244.2.7", "n2").Build(),
            SliceBuilder.V4("a").Port("http", 8080).Endpoint("10.244.1.5", Self).Endpoint("10.244.10.1", "n3").Build());

        Assert.That(Addresses(merged), Is.EqualTo(new[] { "10.244.1.5", "10.244.2.7", "10.244.10.1" }));
        Assert.That(merged.Port, Is.EqualTo(8080));
        Assert.That(merged.Conflict, Is.Null);
        Assert.That(merged.Endpoints.Select(e => e.IsLocal), Is.EqualTo(new[] { true, false, false }));
    }

    [Test]
    public void Merge_SameAddressInTwoSlices_KeptOnceAsTheReadyView()
    {
        var merged = Merge(
            AddressFamily.InterNetwork,
            SliceBuilder.V4("a").Port("http", 8080).Endpoint("10.244.1.5", Self, EndpointState.NotReady).Build(),
            SliceBuilder.V4("b").Port("http", 8080).Endpoint("10.244.1.5", Self, EndpointState.Ready).Build());

        Assert.That(merged.Endpoints, Has.Count.EqualTo(1));
        Assert.That(merged.Endpoints[0].Ready, Is.True);
    }

    [Test]
    public void Merge_OtherFamilySliceAndAddress_Ignored()
    {
        var merged = Merge(
            AddressFamily.InterNetwork,
            SliceBuilder.V6().Port("http", 8080).Endpoint("fd00::5", Self).Build(),
            SliceBuilder.V4().Port("http", 8080).Endpoint("10.244.1.5", Self).Endpoint("fd00::6", Self).Build());

        Assert.That(Addresses(merged), Is.EqualTo(new[] { "10.244.1.5" }));
    }

    [Test]
    public void Merge_IPv6_OnlyIPv6Slices()
    {
        var merged = Merge(
            AddressFamily.InterNetworkV6,
            SliceBuilder.V4().Port("http", 8080).Endpoint("10.244.1.5", Self).Build(),
            SliceBuilder.V6().Port("http", 8080).Endpoint("fd00::5", Self).Build());

        Assert.That(Addresses(merged), Is.EqualTo(new[] { "fd00::5" }));
    }

    [Test]
    public void Merge_SliceWithoutThePortName_ContributesNothing()
    {
        var merged = Merge(
            AddressFamily.InterNetwork,
            SliceBuilder.V4("a").Port("metrics", 9090).Endpoint("10.244.1.5", Self).Build(),
            SliceBuilder.V4("b").Port("http", 8080, "UDP").Endpoint("10.244.1.6", Self).Build());

        Assert.That(merged.Endpoints, Is.Empty);
        Assert.That(merged.Port, Is.Zero);
    }

    [Test]
    public void Merge_NamedPortAgreeingAcrossSlices_OnePortNoConflict()
    {
        var merged = Merge(
            AddressFamily.InterNetwork,
            SliceBuilder.V4("a").Port("http", 8443).Endpoint("10.244.1.5", Self).Build(),
            SliceBuilder.V4("b").Port("http", 8443).Endpoint("10.244.2.5", "n2").Build());

        Assert.That(merged.Port, Is.EqualTo(8443));
        Assert.That(merged.Conflict, Is.Null);
        Assert.That(merged.Endpoints, Has.Count.EqualTo(2));
    }

    [Test]
    public void Merge_NamedPortDisagreeing_MostReadyWinsOthersDroppedAndReported()
    {
        var merged = Merge(
            AddressFamily.InterNetwork,
            SliceBuilder.V4("old").Port("http", 8080)
                .Endpoint("10.244.1.1", Self, EndpointState.ServingTerminating)
                .Endpoint("10.244.1.2", Self, EndpointState.ServingTerminating)
                .Endpoint("10.244.1.3", Self, EndpointState.ServingTerminating).Build(),
            SliceBuilder.V4("new").Port("http", 9090).Endpoint("10.244.2.1", "n2").Build());

        Assert.That(merged.Port, Is.EqualTo(9090));
        Assert.That(Addresses(merged), Is.EqualTo(new[] { "10.244.2.1" }));
        Assert.That(merged.Conflict, Is.EqualTo(new PortConflict(9090, [8080], 3)).Using<PortConflict>(SameConflict));
    }

    [Test]
    public void Merge_NamedPortDisagreeingTie_LowestNumberWins()
    {
        var merged = Merge(
            AddressFamily.InterNetwork,
            SliceBuilder.V4("a").Port("http", 9090).Endpoint("10.244.1.1", Self).Build(),
            SliceBuilder.V4("b").Port("http", 8080).Endpoint("10.244.1.2", Self).Build());

        Assert.That(merged.Port, Is.EqualTo(8080));
        Assert.That(merged.Conflict!.OtherPorts, Is.EqualTo(new[] { 9090 }));
        Assert.That(merged.Conflict.DroppedEndpoints, Is.EqualTo(1));
    }

    [Test]
    public void Merge_NoConditions_DefaultsReadyServingNotTerminating()
    {
        var merged = Merge(AddressFamily.InterNetwork, SliceBuilder.V4().Port("http", 8080).Endpoint("10.244.1.5", Self, EndpointState.Unset).Build());

        var endpoint = merged.Endpoints.Single();
        Assert.That((endpoint.Ready, endpoint.Serving, endpoint.Terminating), Is.EqualTo((true, true, false)));
    }

    [Test]
    public void Merge_Hints_CarriedOntoTheEndpoint()
    {
        var merged = Merge(AddressFamily.InterNetwork, SliceBuilder.V4().Port("http", 8080).Endpoint("10.244.1.5", "n2", zones: ["z1"], forNodes: ["n2"]).Build());

        Assert.That(merged.Endpoints[0].ZoneHints, Is.EqualTo(new[] { "z1" }));
        Assert.That(merged.Endpoints[0].NodeHints, Is.EqualTo(new[] { "n2" }));
    }

    [Test]
    public void Merge_SliceOrderSwapped_SameResult()
    {
        var a = SliceBuilder.V4("a").Port("http", 9090).Endpoint("10.244.1.1", Self).Build();
        var b = SliceBuilder.V4("b").Port("http", 8080).Endpoint("10.244.1.2", "n2").Build();

        Assert.That(Addresses(Merge(AddressFamily.InterNetwork, a, b)), Is.EqualTo(Addresses(Merge(AddressFamily.InterNetwork, b, a))));
    }

    private static bool SameConflict(PortConflict x, PortConflict y) =>
        x.ChosenPort == y.ChosenPort && x.OtherPorts.SequenceEqual(y.OtherPorts) && x.DroppedEndpoints == y.DroppedEndpoints;
}
