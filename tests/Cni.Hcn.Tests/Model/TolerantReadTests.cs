using Cni.Hcn.Json;
using Cni.Hcn.Model;
using Cni.Hcn.Model.Policies;

namespace Cni.Hcn.Tests.Model;

/// <summary>Reading what HNS (and other clients) actually return: casing, extra members, omitted defaults, alternate names.</summary>
[TestFixture]
public sealed class TolerantReadTests
{
    [Test]
    public void Deserialize_LowerCaseKeys_ReadsEveryMember()
    {
        const string json = """
            {"id":"c0a8f2d4-1111-2222-3333-444455556666","name":"vxlan0","type":"Overlay","flags":8,
             "policies":[{"type":"VxlanPort","settings":{"port":4789}}],
             "ipams":[{"type":"Static","subnets":[{"ipaddressprefix":"10.244.2.0/24","routes":[{"nexthop":"10.244.2.1","destinationprefix":"0.0.0.0/0"}]}]}],
             "schemaversion":{"major":2,"minor":0}}
            """;

        var network = HcnJson.Deserialize<HostComputeNetwork>(json)!;

        Assert.That(network.Id, Is.EqualTo(GoldenCases.NetworkId));
        Assert.That(network.Name, Is.EqualTo("vxlan0"));
        Assert.That(network.Type, Is.EqualTo(NetworkType.Overlay));
        Assert.That(network.Flags, Is.EqualTo(NetworkFlags.EnableNonPersistent));
        Assert.That(network.Policies![0].GetSettings<VxlanPortPolicySetting>(), Is.EqualTo(new VxlanPortPolicySetting { Port = 4789 }));
        Assert.That(network.Ipams![0].Subnets![0].Routes![0].NextHop, Is.EqualTo("10.244.2.1"));
    }

    [Test]
    public void Deserialize_UnknownMembers_AreIgnored()
    {
        const string json = """
            {"ID":"c0a8f2d4-1111-2222-3333-444455556666","Name":"cbr0","Type":"L2Bridge","Owner":"wincni","Version":64424509440,
             "State":1,"AdditionalParams":{"ICSFlags":0},"Telemetry":{"x":[1,2]},"Resources":{"AllocationOrder":2},
             "Health":{"Data":{"a":1},"Extra":{"Resources":{},"LayeredOn":"x","Unknown":true}},
             "Policies":[{"Type":"NetAdapterName","Settings":{"NetworkAdapterName":"Ethernet","Extra":1},"Id":"p"}],
             "SchemaVersion":{"Major":2,"Minor":0,"Patch":1}}
            """;

        var network = HcnJson.Deserialize<HostComputeNetwork>(json)!;

        Assert.That(network.Name, Is.EqualTo("cbr0"));
        Assert.That(network.Type, Is.EqualTo(NetworkType.L2Bridge));
        Assert.That(network.Health?.Extra?.LayeredOn, Is.EqualTo("x"));
        Assert.That(network.Policies![0].Settings, Is.EqualTo(new NetAdapterNamePolicySetting { NetworkAdapterName = "Ethernet" }));
    }

    [Test]
    public void Deserialize_NetworkWithoutType_IsNat()
    {
        var network = HcnJson.Deserialize<HostComputeNetwork>("""{"Name":"nat"}""")!;

        Assert.That(network.Type, Is.EqualTo(NetworkType.Nat));
        Assert.That(network, Is.EqualTo(new HostComputeNetwork { Name = "nat", Type = NetworkType.Nat }));
    }

    [Test]
    public void Deserialize_MissingSchemaVersion_IsV2()
    {
        var endpoint = HcnJson.Deserialize<HostComputeEndpoint>("{}")!;

        Assert.That(endpoint.SchemaVersion, Is.EqualTo(SchemaVersion.V2));
    }

    [Test]
    public void Deserialize_FlagsAsNumbers_KeepsUnknownBits()
    {
        var network = HcnJson.Deserialize<HostComputeNetwork>("""{"Flags":1048}""")!;

        Assert.That(network.Flags, Is.EqualTo(NetworkFlags.EnableNonPersistent | NetworkFlags.DisableHostPort | (NetworkFlags)16));
        Assert.That(HcnJson.Serialize(network), Does.Contain("\"Flags\":1048"));
    }

    [Test]
    public void Deserialize_MissingFlags_AreNone()
    {
        var lb = HcnJson.Deserialize<HostComputeLoadBalancer>("""{"PortMappings":[{"Protocol":6}]}""")!;

        Assert.That(lb.Flags, Is.EqualTo(LoadBalancerFlags.None));
        Assert.That(lb.PortMappings![0].Flags, Is.EqualTo(LoadBalancerPortMappingFlags.None));
        Assert.That(lb.PortMappings![0].DistributionType, Is.EqualTo(LoadBalancerDistribution.None));
    }

    [Test]
    public void Deserialize_NumbersAsStrings_AreRead()
    {
        var ns = HcnJson.Deserialize<HostComputeNamespace>("""{"NamespaceId":"5"}""")!;

        Assert.That(ns.NamespaceId, Is.EqualTo(5u));
    }

    [TestCase("5F0B1190-63BE-4E0C-B974-BD0F55675A42")]
    [TestCase("{5f0b1190-63be-4e0c-b974-bd0f55675a42}")]
    [TestCase("5f0b1190-63be-4e0c-b974-bd0f55675a42")]
    public void Deserialize_GuidInAnyCaseOrBraces_IsRead(string text)
    {
        var endpoint = HcnJson.Deserialize<HostComputeEndpoint>($$"""{"HostComputeNamespace":"{{text}}"}""")!;

        Assert.That(endpoint.HostComputeNamespace, Is.EqualTo(GoldenCases.NamespaceId));
    }

    [TestCase("\"\"")]
    [TestCase("null")]
    public void Deserialize_BlankGuid_IsEmpty(string value)
    {
        var endpoint = HcnJson.Deserialize<HostComputeEndpoint>($$"""{"HostComputeNamespace":{{value}}}""")!;

        Assert.That(endpoint.HostComputeNamespace, Is.EqualTo(Guid.Empty));
    }

    [Test]
    public void Deserialize_BadGuid_Throws()
    {
        Assert.That(
            () => HcnJson.Deserialize<HostComputeEndpoint>("""{"ID":"not-a-guid"}"""),
            Throws.InstanceOf<System.Text.Json.JsonException>());
    }

    [Test]
    public void Deserialize_UnknownPolicyType_KeepsRawSettingsAndRoundTrips()
    {
        const string json = """{"Policies":[{"Type":"FuturePolicy","Settings":{"A":[1,{"B":true}]}}]}""";

        var endpoint = HcnJson.Deserialize<HostComputeEndpoint>(json)!;
        var policy = endpoint.Policies![0];

        Assert.That(policy.Type, Is.EqualTo(EndpointPolicyType.FromValue("FuturePolicy")));
        Assert.That(policy.Settings, Is.InstanceOf<RawPolicySetting>());
        Assert.That(HcnJson.Serialize(policy), Is.EqualTo("""{"Type":"FuturePolicy","Settings":{"A":[1,{"B":true}]}}"""));
    }

    [Test]
    public void Deserialize_PolicyTypeInOtherCase_UsesTypedSettings()
    {
        var policy = HcnJson.Deserialize<EndpointPolicy>("""{"type":"outboundnat","settings":{"exceptions":["10.0.0.0/8"]}}""")!;

        Assert.That(policy.Type, Is.EqualTo(EndpointPolicyType.OutBoundNat));
        Assert.That(policy.GetSettings<OutboundNatPolicySetting>()?.Exceptions, Is.EqualTo(new[] { "10.0.0.0/8" }));
    }

    [Test]
    public void Deserialize_SettingsNotFittingTheirRecord_AreKeptRaw()
    {
        var policy = HcnJson.Deserialize<NetworkPolicy>("""{"Type":"VxlanPort","Settings":{"Port":"not-a-port"}}""")!;

        Assert.That(policy.Type, Is.EqualTo(NetworkPolicyType.VxlanPort));
        Assert.That(policy.Settings, Is.InstanceOf<RawPolicySetting>());
    }

    [Test]
    public void Deserialize_SettingsThatAreNotAnObject_AreKeptRaw()
    {
        var policy = HcnJson.Deserialize<NetworkPolicy>("""{"Type":"HostRoute","Settings":"text"}""")!;

        Assert.That(policy.Settings, Is.InstanceOf<RawPolicySetting>());
    }

    [Test]
    public void Deserialize_NullOrMissingSettings_IsNull()
    {
        Assert.That(HcnJson.Deserialize<NetworkPolicy>("""{"Type":"HostRoute","Settings":null}""")!.Settings, Is.Null);
        Assert.That(HcnJson.Deserialize<NetworkPolicy>("""{"Type":"HostRoute"}""")!.Settings, Is.Null);
    }

    [Test]
    public void Deserialize_PolicyNotAnObject_Throws()
    {
        Assert.That(() => HcnJson.Deserialize<NetworkPolicy>("[1]"), Throws.InstanceOf<System.Text.Json.JsonException>());
    }

    [Test]
    public void Deserialize_SetPolicyTypeAsNumber_ReadsItsText()
    {
        var policy = HcnJson.Deserialize<NetworkPolicy>("""{"Type":"SetPolicy","Settings":{"Id":"a","Name":"b","PolicyType":0,"Values":"1.1.1.1"}}""")!;

        Assert.That(policy.GetSettings<SetPolicySetting>()?.PolicyType.Value, Is.EqualTo("0"));
    }

    [Test]
    public void Deserialize_SdnRouteAlternateArrayName_IsRead()
    {
        var json = $$"""{"{{HcnSchemaChoices.SdnRouteArrayAlternateName}}":[{"DestinationPrefix":"169.254.169.254/24","NextHop":"127.10.0.34","NeedEncap":false}]}""";

        var route = HcnJson.Deserialize<HostComputeRoute>(json)!;

        Assert.That(route.Routes, Has.Count.EqualTo(1));
        Assert.That(route.Routes![0].NextHop, Is.EqualTo("127.10.0.34"));
        Assert.That(HcnJson.Serialize(route), Does.Contain("\"" + HcnSchemaChoices.SdnRouteArrayName + "\""));
    }

    [Test]
    public void Deserialize_SdnRouteChosenArrayName_IsRead()
    {
        var json = $$"""{"{{HcnSchemaChoices.SdnRouteArrayName}}":[{"NextHop":"10.0.0.1"}]}""";

        Assert.That(HcnJson.Deserialize<HostComputeRoute>(json)!.Routes![0].NextHop, Is.EqualTo("10.0.0.1"));
    }

    [Test]
    public void Deserialize_L4ProxyMsDocsNames_AreRead()
    {
        const string json = """{"Type":"L4Proxy","Settings":{"ExceptionList":["10.0.0.1"],"OutboundNat":true,"Destination":"d"}}""";

        var settings = HcnJson.Deserialize<EndpointPolicy>(json)!.GetSettings<L4ProxyPolicySetting>()!;

        Assert.That(settings.Exceptions, Is.EqualTo(new[] { "10.0.0.1" }));
        Assert.That(settings.OutboundNat, Is.True);
        Assert.That(settings.Destination, Is.EqualTo("d"));
    }

    [Test]
    public void Deserialize_L4ProxyHcsshimNames_AreRead()
    {
        const string json = """{"Type":"L4Proxy","Settings":{"Exceptions":["10.0.0.1"],"OutboundNAT":true}}""";

        var settings = HcnJson.Deserialize<NetworkPolicy>(json)!.GetSettings<L4ProxyPolicySetting>()!;

        Assert.That(settings.Exceptions, Is.EqualTo(new[] { "10.0.0.1" }));
        Assert.That(settings.OutboundNat, Is.True);
        Assert.That(settings.Destination, Is.Empty);
    }

    [Test]
    public void Deserialize_NamespaceResourceDataIdInMsDocsCase_IsRead()
    {
        var ns = HcnJson.Deserialize<HostComputeNamespace>(
            """{"Resources":[{"Type":"Endpoint","Data":{"Id":"9d1e0c5a-aaaa-bbbb-cccc-000000000001"}}]}""")!;

        Assert.That(ns.Resources![0].GetEndpointId(), Is.EqualTo(GoldenCases.EndpointId1));
    }

    [Test]
    public void Deserialize_NamespaceResourceWithoutData_HasEmptyData()
    {
        var ns = HcnJson.Deserialize<HostComputeNamespace>("""{"Resources":[{"Type":"Container"}]}""")!;

        Assert.That(ns.Resources![0].Data.Id, Is.Empty);
        Assert.That(ns.Resources![0].GetEndpointId(), Is.Null);
    }

    [Test]
    public void Deserialize_AlwaysWrittenStringsMissing_AreEmptyNotNull()
    {
        var settings = HcnJson.Deserialize<NetworkPolicy>("""{"Type":"RemoteSubnetRoute","Settings":{"IsolationId":4096}}""")!
            .GetSettings<RemoteSubnetRoutePolicySetting>()!;

        Assert.That(settings.DestinationPrefix, Is.Empty);
        Assert.That(settings.ProviderAddress, Is.Empty);
        Assert.That(settings.DistributedRouterMacAddress, Is.Empty);
    }

    [Test]
    public void Deserialize_L4WfpProxyWithoutSubObjects_HasEmptySubObjects()
    {
        var settings = HcnJson.Deserialize<EndpointPolicy>("""{"Type":"L4WFPPROXY","Settings":{"InboundProxyPort":"80"}}""")!
            .GetSettings<L4WfpProxyPolicySetting>()!;

        Assert.That(settings.FilterTuple, Is.EqualTo(new FiveTuple()));
        Assert.That(settings.InboundExceptions, Is.Not.Null);
        Assert.That(settings.OutboundExceptions, Is.Not.Null);
    }

    [Test]
    public void Deserialize_RemoteSubnetRouteIsolationIdAboveUInt16_IsRead()
    {
        var settings = HcnJson.Deserialize<NetworkPolicy>("""{"Type":"RemoteSubnetRoute","Settings":{"IsolationId":16777215}}""")!
            .GetSettings<RemoteSubnetRoutePolicySetting>()!;

        Assert.That(settings.IsolationId, Is.EqualTo(16777215u));
        Assert.That(HcnSchemaChoices.RemoteSubnetRouteMaxIsolationId, Is.EqualTo((uint)ushort.MaxValue));
    }

    [Test]
    public void Deserialize_CommentsAndTrailingCommas_AreAccepted()
    {
        var network = HcnJson.Deserialize<HostComputeNetwork>("""{ /* HNS */ "Name": "n", }""")!;

        Assert.That(network.Name, Is.EqualTo("n"));
    }

    [Test]
    public void Deserialize_ArrayOfNetworks_ReadsEach()
    {
        var networks = HcnJson.Deserialize<IReadOnlyList<HostComputeNetwork>>("""[{"Name":"a"},{"Name":"b","Type":"Overlay"}]""")!;

        Assert.That(networks.Select(n => n.Type), Is.EqualTo(new[] { NetworkType.Nat, NetworkType.Overlay }));
    }

    [Test]
    public void Deserialize_EnumerateResultOfGuids_ReadsEach()
    {
        var ids = HcnJson.Deserialize<IReadOnlyList<Guid>>("""["5f0b1190-63be-4e0c-b974-bd0f55675a42","C0A8F2D4-1111-2222-3333-444455556666"]""")!;

        Assert.That(ids, Is.EqualTo(new[] { GoldenCases.NamespaceId, GoldenCases.NetworkId }));
    }
}
