using Cni.Hcn.Errors;
using Cni.Hcn.Json;
using Cni.Hcn.Model;

namespace Cni.Hcn.Tests.Model;

[TestFixture]
public sealed class HostComputeQueryTests
{
    [Test]
    public void ById_Filter_IsJsonTextInsideAString()
    {
        var query = HostComputeQuery.ById(GoldenCases.NetworkId);

        Assert.That(query.Filter, Is.EqualTo("""{"ID":"c0a8f2d4-1111-2222-3333-444455556666"}"""));
        Assert.That(
            HcnJson.Serialize(query),
            Is.EqualTo("""{"SchemaVersion":{"Major":2,"Minor":0},"Filter":"{\u0022ID\u0022:\u0022c0a8f2d4-1111-2222-3333-444455556666\u0022}"}"""));
    }

    [Test]
    public void Default_HasNoFilterAndMatchesEverything()
    {
        Assert.That(HcnJson.Serialize(HostComputeQuery.Default), Is.EqualTo("""{"SchemaVersion":{"Major":2,"Minor":0}}"""));
        Assert.That(HostComputeQuery.Default.GetFilter(), Is.EqualTo(new HostComputeQueryFilter()));
    }

    [Test]
    public void GetFilter_FactoryQueries_RoundTrip()
    {
        Assert.That(HostComputeQuery.ById(GoldenCases.EndpointId1).GetFilter().Id, Is.EqualTo(GoldenCases.EndpointId1));
        Assert.That(HostComputeQuery.ByName("cbr0").GetFilter().Name, Is.EqualTo("cbr0"));
        Assert.That(HostComputeQuery.EndpointsOfNetwork(GoldenCases.NetworkId).GetFilter().VirtualNetwork, Is.EqualTo(GoldenCases.NetworkId));
        Assert.That(HostComputeQuery.DefaultNamespace().GetFilter().IsDefault, Is.True);
        Assert.That(HostComputeQuery.DefaultNamespace().Flags, Is.EqualTo(HostComputeQueryFlags.Detailed));
    }

    [Test]
    public void GetFilter_HandWrittenFilterWithOtherCaseAndExtraKeys_IsRead()
    {
        var query = new HostComputeQuery { Filter = """{"name":"vxlan0","VirtualNetworkName":"vxlan0","Other":1}""" };

        Assert.That(query.GetFilter(), Is.EqualTo(new HostComputeQueryFilter { Name = "vxlan0", VirtualNetworkName = "vxlan0" }));
    }

    [TestCase("")]
    [TestCase("   ")]
    [TestCase(null)]
    public void GetFilter_Blank_IsEmpty(string? filter)
    {
        Assert.That(new HostComputeQuery { Filter = filter }.GetFilter(), Is.EqualTo(new HostComputeQueryFilter()));
    }

    [Test]
    public void GetFilter_NotJson_ThrowsInvalidJson()
    {
        var query = new HostComputeQuery { Filter = "{name:" };

        Assert.That(() => query.GetFilter(), Throws.InstanceOf<HcnException>().With.Property(nameof(HcnException.HResult)).EqualTo(HcnErrorCodes.InvalidJson));
    }

    [Test]
    public void Deserialize_QueryText_ReadsFilterString()
    {
        var query = HcnJson.Deserialize<HostComputeQuery>("""{"SchemaVersion":{"Major":2,"Minor":0},"Flags":1,"Filter":"{\"IsDefault\":true}"}""")!;

        Assert.That(query.Flags, Is.EqualTo(HostComputeQueryFlags.Detailed));
        Assert.That(query.GetFilter().IsDefault, Is.True);
    }
}
