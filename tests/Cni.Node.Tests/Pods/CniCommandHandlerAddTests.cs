using System.Net;
using Cni.Hcn;
using Cni.Hcn.Json;
using Cni.Hcn.Memory;
using Cni.Hcn.Model;
using Cni.Hcn.Model.Policies;
using Cni.Node.Configuration;
using Cni.Node.Dataplane;
using Cni.Node.Networks;
using Cni.Node.Pods;
using Cni.Spec;

namespace Cni.Node.Tests.Pods;

public sealed class CniCommandHandlerAddTests
{
    [Test]
    public async Task HandleAsync_AddOverlay_Eth0WithSandboxIpGatewayRouteAndDns()
    {
        await using var node = await NodeHarness.CreateAsync();
        var ns = (await node.NewNamespaceAsync()).ToString();

        var result = NodeHarness.Result(await node.AddAsync("c1", ns)).Parsed;

        Assert.That(result.CniVersion, Is.EqualTo("1.1.0"));
        Assert.That(result.Interfaces, Has.Count.EqualTo(1));
        Assert.That(result.Interfaces[0].Name, Is.EqualTo("eth0"));
        Assert.That(result.Interfaces[0].Sandbox, Is.EqualTo(ns));
        Assert.That(result.Interfaces[0].Mtu, Is.EqualTo(1450));
        Assert.That(result.Interfaces[0].Mac, Does.Match("^([0-9a-f]{2}:){5}[0-9a-f]{2}$"));
        Assert.That(result.Ips.Single().Address.ToString(), Is.EqualTo("10.244.1.2/24"));
        Assert.That(result.Ips.Single().Gateway, Is.EqualTo(IPAddress.Parse("10.244.1.1")));
        Assert.That(result.Ips.Single().Interface, Is.Zero);
        Assert.That(result.Routes.Single().Dst.ToString(), Is.EqualTo("0.0.0.0/0"));
        Assert.That(result.Routes.Single().Gw, Is.EqualTo(IPAddress.Parse("10.244.1.1")));
        Assert.That(result.Dns!.Nameservers, Is.EqualTo(new[] { "10.96.0.10" }));
        Assert.That(result.Dns.Search, Is.EqualTo(new[] { "default.svc.cluster.local", "svc.cluster.local" }));
    }

    [TestCase("0.3.0", true)]
    [TestCase("0.3.1", true)]
    [TestCase("0.4.0", true)]
    [TestCase("1.0.0", false)]
    [TestCase("1.1.0", false)]
    public async Task HandleAsync_AddInEachVersion_ResultInThatVersion(string version, bool hasIpVersion)
    {
        await using var node = await NodeHarness.CreateAsync();

        var result = NodeHarness.Result(await node.AddAsync("c1", (await node.NewNamespaceAsync()).ToString(), version: version));

        Assert.That(result.Parsed.CniVersion, Is.EqualTo(version));
        Assert.That(result.Text, Does.Contain("\"cniVersion\":\"" + version + "\""));
        Assert.That(result.Text.Contains("\"version\":\"4\"", StringComparison.Ordinal), Is.EqualTo(hasIpVersion));
        Assert.That(result.Text.Contains("\"mtu\"", StringComparison.Ordinal), Is.EqualTo(version == "1.1.0"));
        Assert.That(result.Parsed.Ips.Single().Interface, Is.Zero);
        Assert.That(result.Parsed.Interfaces.Single().Sandbox, Is.Not.Empty);
    }

    [Test]
    public async Task HandleAsync_AddL2Bridge_GatewayIsTheHostEndpoint()
    {
        await using var node = await NodeHarness.CreateAsync(NetworkMode.L2Bridge);

        var result = NodeHarness.Result(await node.AddAsync("c1", (await node.NewNamespaceAsync()).ToString())).Parsed;

        Assert.That(result.Ips.Single().Address.ToString(), Is.EqualTo("10.244.1.3/24"));
        Assert.That(result.Ips.Single().Gateway, Is.EqualTo(IPAddress.Parse("10.244.1.2")));
        var endpoint = (await node.EndpointsAsync()).Single(e => EndpointNames.IsOwned(e.Name, NodeHarness.NetworkName));
        Assert.That(endpoint.Routes!.Single().NextHop, Is.EqualTo("10.244.1.2"));
        Assert.That(HcnJson.Serialize(endpoint.Policies!.Single(p => p.Type == EndpointPolicyType.SdnRoute && p.GetSettings<SdnRoutePolicySetting>()!.DestinationPrefix == "192.0.2.10/32")), Does.Contain("NeedEncap"));
    }

    [Test]
    public async Task HandleAsync_AddDualStackL2Bridge_BothFamilies()
    {
        await using var node = await NodeHarness.CreateAsync(
            NetworkMode.L2Bridge,
            ["10.244.1.0/24", "fd00:10:244:1::/64"],
            o => o with { ClusterCidrs = [.. o.ClusterCidrs, IPNetwork.Parse("fd00:10:244::/56")] });

        var result = NodeHarness.Result(await node.AddAsync("c1", (await node.NewNamespaceAsync()).ToString())).Parsed;

        Assert.That(result.Ips.Select(i => i.Address.ToString()), Is.EqualTo(new[] { "10.244.1.3/24", "fd00:10:244:1::3/64" }));
        Assert.That(result.Routes.Select(r => r.Dst.ToString()), Is.EqualTo(new[] { "0.0.0.0/0", "::/0" }));
        var endpoint = (await node.EndpointsAsync()).Single(e => EndpointNames.IsOwned(e.Name, NodeHarness.NetworkName));
        Assert.That(endpoint.IpConfigurations, Has.Count.EqualTo(2));
        Assert.That(endpoint.Policies!.Count(p => p.Type == EndpointPolicyType.OutBoundNat), Is.EqualTo(2));
    }

    [Test]
    public async Task HandleAsync_AddDualStackOnDataplaneWithoutIpv6_FailsNamingTheAddressAndLeavesNothing()
    {
        await using var node = await NodeHarness.CreateAsync(
            NetworkMode.L2Bridge,
            ["10.244.1.0/24", "fd00:10:244:1::/64"],
            o => o with { ClusterCidrs = [.. o.ClusterCidrs, IPNetwork.Parse("fd00:10:244::/56")] },
            wrapHcn: hcn => new Ipv4OnlyDataplane(hcn));

        var outcome = await node.AddAsync("c1", (await node.NewNamespaceAsync()).ToString());

        // Before the fix the ADD answered both addresses while the endpoint held only the IPv4 one.
        Assert.That(outcome.Error, Is.Not.Null, "an answer listing an address the dataplane does not hold");
        Assert.That(outcome.Error!.Code, Is.EqualTo(CniErrorCode.Internal));
        Assert.That(outcome.Error.Msg, Does.Contain("without fd00:10:244:1::3").And.Contain("does not carry IPv6"));
        Assert.That((await node.EndpointsAsync()).Where(e => EndpointNames.IsOwned(e.Name, NodeHarness.NetworkName) && e.Name!.Contains("c1", StringComparison.Ordinal)), Is.Empty);
        Assert.That(await node.LeasesAsync(), Is.Empty);
    }

    [Test]
    public async Task HandleAsync_AddOnGuidNamespace_CostsThreeHcnCalls()
    {
        await using var node = await NodeHarness.CreateAsync();
        var ns = (await node.NewNamespaceAsync()).ToString();
        node.Hcn.ResetCallCounts();

        NodeHarness.Result(await node.AddAsync("c1", ns));

        Assert.That(node.Hcn.GetCallCounts().Where(c => c.Value > 0).ToDictionary(c => c.Key, c => c.Value), Is.EquivalentTo(new Dictionary<MemoryHcnOperation, long>
        {
            [MemoryHcnOperation.EnumerateEndpoints] = 1,
            [MemoryHcnOperation.CreateEndpoint] = 1,
            [MemoryHcnOperation.ModifyNamespace] = 1,
        }));
    }

    [Test]
    public async Task HandleAsync_AddRepeated_SameResultOneHcnCallNoSecondEndpoint()
    {
        await using var node = await NodeHarness.CreateAsync();
        var ns = (await node.NewNamespaceAsync()).ToString();
        var first = NodeHarness.Result(await node.AddAsync("c1", ns));
        node.Hcn.ResetCallCounts();

        var second = NodeHarness.Result(await node.AddAsync("c1", ns));

        Assert.That(second.Text, Is.EqualTo(first.Text));
        Assert.That(node.Hcn.TotalCallCount, Is.EqualTo(1));
        Assert.That(await node.EndpointsAsync(), Has.Count.EqualTo(1));
        Assert.That(await node.LeasesAsync(), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task HandleAsync_AddAfterEndpointDetached_ReplacesStaleEndpointKeepsAddress()
    {
        await using var node = await NodeHarness.CreateAsync();
        var ns = await node.NewNamespaceAsync();
        var first = NodeHarness.Result(await node.AddAsync("c1", ns.ToString()));
        var stale = (await node.EndpointsAsync()).Single();
        await ((Cni.Hcn.IHcn)node.Hcn).RemoveNamespaceEndpointAsync(ns, stale.Id, CancellationToken.None);

        var second = NodeHarness.Result(await node.AddAsync("c1", ns.ToString()));

        var endpoint = (await node.EndpointsAsync()).Single();
        Assert.That(endpoint.Id, Is.Not.EqualTo(stale.Id));
        Assert.That(endpoint.HostComputeNamespace, Is.EqualTo(ns));
        Assert.That(second.Parsed.Ips.Single().Address, Is.EqualTo(first.Parsed.Ips.Single().Address));
    }

    [Test]
    public async Task HandleAsync_AddOverlay_EndpointCarriesDerivedPolicies()
    {
        await using var node = await NodeHarness.CreateAsync(configure: o => o with { Dsr = true });

        NodeHarness.Result(await node.AddAsync("c1", (await node.NewNamespaceAsync()).ToString()));

        var policies = (await node.EndpointsAsync()).Single().Policies!.Select(HcnJson.Serialize).ToList();
        Assert.That(policies, Is.EqualTo(new[]
        {
            """{"Type":"OutBoundNAT","Settings":{"Exceptions":["10.244.0.0/16","10.96.0.0/12","192.0.2.10/32"]}}""",
            """{"Type":"SDNRoute","Settings":{"DestinationPrefix":"10.96.0.0/12","NeedEncap":true}}""",
            """{"Type":"ProviderAddress","Settings":{"ProviderAddress":"192.0.2.10"}}""",
            """{"Type":"OutBoundNAT","Settings":{"Destinations":["10.244.1.2"]}}""",
        }));
    }

    [Test]
    public async Task HandleAsync_AddWithPortMappingsAndRuntimeDns_AppliedToEndpointAndResult()
    {
        await using var node = await NodeHarness.CreateAsync();
        const string RuntimeConfig = """
            "runtimeConfig":{"portMappings":[{"hostPort":8080,"containerPort":80,"protocol":"tcp"}],
            "dns":{"servers":["10.96.0.53"],"searches":["ns1.svc.cluster.local"],"options":["ndots:5"]}}
            """;

        var result = NodeHarness.Result(await node.AddAsync("c1", (await node.NewNamespaceAsync()).ToString(), members: RuntimeConfig)).Parsed;

        var endpoint = (await node.EndpointsAsync()).Single();
        Assert.That(endpoint.Policies!.Select(HcnJson.Serialize), Has.Member("""{"Type":"PortMapping","Settings":{"Protocol":6,"InternalPort":80,"ExternalPort":8080}}"""));
        Assert.That(endpoint.Dns!.ServerList, Is.EqualTo(new[] { "10.96.0.53" }));
        Assert.That(endpoint.Dns.Options, Is.EqualTo(new[] { "ndots:5" }));
        Assert.That(result.Dns!.Nameservers, Is.EqualTo(new[] { "10.96.0.53" }));
        Assert.That(result.Dns.Search, Is.EqualTo(new[] { "ns1.svc.cluster.local" }));
    }

    [Test]
    public async Task HandleAsync_AddRuntimeDnsServersOnly_ConfiguredSearchAndDomainKept()
    {
        // windows-container-networking merges runtimeConfig.dns field by field (common/core/network.go): a list the
        // runtime leaves empty keeps the configured one, and the domain (which runtimeConfig.dns lacks) is kept.
        await using var node = await NodeHarness.CreateAsync();
        const string Members = """
            "dns":{"nameservers":["10.96.0.10"],"domain":"cluster.local","search":["svc.cluster.local"],"options":["ndots:3"]},
            "runtimeConfig":{"dns":{"servers":["10.96.0.53"]}}
            """;

        var result = NodeHarness.Result(await node.AddAsync("c1", (await node.NewNamespaceAsync()).ToString(), members: Members)).Parsed;

        var endpoint = (await node.EndpointsAsync()).Single();
        Assert.That(result.Dns!.Nameservers, Is.EqualTo(new[] { "10.96.0.53" }));
        Assert.That(result.Dns.Search, Is.EqualTo(new[] { "svc.cluster.local" }));
        Assert.That(result.Dns.Domain, Is.EqualTo("cluster.local"));
        Assert.That(result.Dns.Options, Is.EqualTo(new[] { "ndots:3" }));
        Assert.That(endpoint.Dns!.ServerList, Is.EqualTo(new[] { "10.96.0.53" }));
        Assert.That(endpoint.Dns.Search, Is.EqualTo(new[] { "svc.cluster.local" }));
        Assert.That(endpoint.Dns.Domain, Is.EqualTo("cluster.local"));
    }

    [Test]
    public async Task HandleAsync_AddRuntimeDnsSearchesOnly_NodeServersKept()
    {
        await using var node = await NodeHarness.CreateAsync();
        const string Members = """
            "runtimeConfig":{"dns":{"searches":["ns1.svc.cluster.local"]}}
            """;

        var result = NodeHarness.Result(await node.AddAsync("c1", (await node.NewNamespaceAsync()).ToString(), members: Members)).Parsed;

        Assert.That(result.Dns!.Nameservers, Is.EqualTo(new[] { "10.96.0.10" }));
        Assert.That(result.Dns.Search, Is.EqualTo(new[] { "ns1.svc.cluster.local" }));
    }

    [Test]
    public async Task HandleAsync_AddNetnsPath_AttachesToNamespaceKeyedByThePath()
    {
        await using var node = await NodeHarness.CreateAsync();
        const string Netns = "/var/run/netns/cni-1234";

        var result = NodeHarness.Result(await node.AddAsync("c1", Netns)).Parsed;

        Assert.That(result.Interfaces.Single().Sandbox, Is.EqualTo(Netns));
        Assert.That((await node.EndpointsAsync()).Single().HostComputeNamespace, Is.EqualTo(NetnsPathNamespaceResolver.IdForPath(Netns)));
    }

    [Test]
    public async Task HandleAsync_AddTwoInterfacesInOneNetns_ShareTheNamespace()
    {
        await using var node = await NodeHarness.CreateAsync();
        const string Netns = "/var/run/netns/cni-shared";

        NodeHarness.Result(await node.AddAsync("c1", Netns, "eth0"));
        NodeHarness.Result(await node.AddAsync("c1", Netns, "eth1"));

        var endpoints = await node.EndpointsAsync();
        Assert.That(endpoints.Select(e => e.HostComputeNamespace).Distinct(), Is.EqualTo(new[] { NetnsPathNamespaceResolver.IdForPath(Netns) }));
        Assert.That(endpoints, Has.Count.EqualTo(2));
    }

    [Test]
    public async Task HandleAsync_AddUnknownNamespaceGuid_Code3AndNothingLeft()
    {
        await using var node = await NodeHarness.CreateAsync();

        var outcome = await node.AddAsync("c1", Guid.NewGuid().ToString());

        Assert.That(outcome.Error!.Code, Is.EqualTo(CniErrorCode.UnknownContainer));
        Assert.That(outcome.Error.Msg, Does.StartWith("CNI_NETNS: "));
        Assert.That(outcome.Error.Details, Does.Contain("0x80070490"));
        Assert.That(await node.EndpointsAsync(), Is.Empty);
        Assert.That(await node.LeasesAsync(), Is.Empty);
    }

    [Test]
    public async Task HandleAsync_AddForeignNetworkName_Code7NamingName()
    {
        await using var node = await NodeHarness.CreateAsync();

        var outcome = await node.HandleAsync(
            NodeHarness.Request("ADD", NodeHarness.Config(name: "other"), "c1", (await node.NewNamespaceAsync()).ToString(), "eth0"), CancellationToken.None);

        Assert.That(outcome.Error!.Code, Is.EqualTo(CniErrorCode.InvalidNetworkConfig));
        Assert.That(outcome.Error.Msg, Does.StartWith("name: 'other'"));
    }

    [TestCase("ADD")]
    [TestCase("DEL")]
    [TestCase("CHECK")]
    [TestCase("STATUS")]
    public async Task HandleAsync_ConfigOfAnotherPluginType_Code7NamingTypeAndNothingChanged(string command)
    {
        await using var node = await NodeHarness.CreateAsync();
        var ns = (await node.NewNamespaceAsync()).ToString();
        NodeHarness.Result(await node.AddAsync("c1", ns));
        var config = NodeHarness.Config(members: command == "CHECK" ? "\"prevResult\":{\"cniVersion\":\"1.1.0\"}" : null).Replace("\"type\":\"wincni\"", "\"type\":\"bridge\"", StringComparison.Ordinal);

        var outcome = await node.HandleAsync(NodeHarness.Request(command, config, "c1", command == "STATUS" ? "" : ns, command == "STATUS" ? "" : "eth0"), CancellationToken.None);

        Assert.That(outcome.Error!.Code, Is.EqualTo(CniErrorCode.InvalidNetworkConfig));
        Assert.That(outcome.Error.Msg, Does.StartWith("type: 'bridge' is another plugin's"));
        Assert.That(outcome.Error.CniVersion, Is.EqualTo("1.1.0"));
        Assert.That(await node.LeasesAsync(), Has.Count.EqualTo(1), "the DEL of another plugin's config released nothing");
    }

    [Test]
    public async Task HandleAsync_AddBeforeNetworkEnsured_Code11()
    {
        await using var node = await NodeHarness.CreateAsync(ensure: false);

        var outcome = await node.AddAsync("c1", "/var/run/netns/x");

        Assert.That(outcome.Error!.Code, Is.EqualTo(CniErrorCode.TryAgainLater));
        Assert.That(outcome.Error.Msg, Does.Contain("not ready"));
        Assert.That(node.Hcn.TotalCallCount, Is.Zero);
    }

    [Test]
    public async Task HandleAsync_AddSctpPortMapping_Code7NamingFieldNothingAllocated()
    {
        await using var node = await NodeHarness.CreateAsync();

        var outcome = await node.AddAsync("c1", (await node.NewNamespaceAsync()).ToString(), members: """ "runtimeConfig":{"portMappings":[{"hostPort":80,"containerPort":80,"protocol":"sctp"}]} """);

        Assert.That(outcome.Error!.Code, Is.EqualTo(CniErrorCode.InvalidNetworkConfig));
        Assert.That(outcome.Error.Msg, Does.StartWith("runtimeConfig.portMappings[0].protocol: "));
        Assert.That(await node.LeasesAsync(), Is.Empty);
        Assert.That(await node.EndpointsAsync(), Is.Empty);
    }

    private static IEnumerable<TestCaseData> BadRequests()
    {
        yield return new TestCaseData(NodeHarness.Request("ADD", NodeHarness.Config(), "c1", "", "eth0"), CniErrorCode.InvalidEnvironmentVariables, "CNI_NETNS").SetName("HandleAsync_AddWithoutNetns_Code4NamingIt");
        yield return new TestCaseData(NodeHarness.Request("ADD", NodeHarness.Config(), "bad id!", "/var/run/netns/x", "eth0"), CniErrorCode.InvalidEnvironmentVariables, "CNI_CONTAINERID").SetName("HandleAsync_AddBadContainerId_Code4NamingIt");
        yield return new TestCaseData(NodeHarness.Request("ADD", NodeHarness.Config("9.9.9"), "c1", "/var/run/netns/x", "eth0"), CniErrorCode.IncompatibleCniVersion, "9.9.9").SetName("HandleAsync_AddUnknownVersion_Code1");
        yield return new TestCaseData(NodeHarness.Request("ADD", NodeHarness.Config(), "c1", "/var/run/netns/x", "eth0", "FOO=bar"), CniErrorCode.InvalidEnvironmentVariables, "CNI_ARGS").SetName("HandleAsync_AddUnknownCniArgs_Code4NamingIt");
        yield return new TestCaseData(NodeHarness.Request("NOPE", NodeHarness.Config(), "c1", "/var/run/netns/x", "eth0"), CniErrorCode.InvalidEnvironmentVariables, "CNI_COMMAND").SetName("HandleAsync_UnknownCommand_Code4");
        yield return new TestCaseData(NodeHarness.Request("ADD", """{"cniVersion":"1.1.0","type":"wincni"}""", "c1", "/var/run/netns/x", "eth0"), CniErrorCode.InvalidNetworkConfig, "name").SetName("HandleAsync_AddConfigWithoutName_Code7");
    }

    [TestCaseSource(nameof(BadRequests))]
    public async Task HandleAsync_BadInput_PreciseErrorNothingChanged(Spec.Wire.DaemonRequest request, CniErrorCode code, string named)
    {
        await using var node = await NodeHarness.CreateAsync();
        node.Hcn.ResetCallCounts();

        var outcome = await node.HandleAsync(request, CancellationToken.None);

        Assert.That(outcome.Error!.Code, Is.EqualTo(code));
        Assert.That(outcome.Error.Msg + " " + outcome.Error.Details, Does.Contain(named));
        Assert.That(node.Hcn.TotalCallCount, Is.Zero);
        Assert.That(await node.LeasesAsync(), Is.Empty);
    }

    [Test]
    public async Task HandleAsync_Version_AnsweredLocally()
    {
        await using var node = await NodeHarness.CreateAsync(ensure: false);

        var outcome = await node.HandleAsync(NodeHarness.Request("VERSION", """{"cniVersion":"1.1.0"}"""), CancellationToken.None);

        Assert.That(outcome.IsSuccess, Is.True);
        Assert.That(System.Text.Encoding.UTF8.GetString(outcome.Result!), Does.Contain("supportedVersions"));
    }

    [Test]
    public async Task HandleAsync_AddPodArgs_RecordedOnTheLease()
    {
        await using var node = await NodeHarness.CreateAsync();

        NodeHarness.Result(await node.AddAsync("c1", "/var/run/netns/p", args: "IgnoreUnknown=1;K8S_POD_NAMESPACE=kube-system;K8S_POD_NAME=coredns-0"));

        var lease = (await node.LeasesAsync()).Single();
        Assert.That(lease.Owner.PodNamespace, Is.EqualTo("kube-system"));
        Assert.That(lease.Owner.PodName, Is.EqualTo("coredns-0"));
        Assert.That(lease.Owner.Netns, Is.EqualTo("/var/run/netns/p"));
        Assert.That(lease.Owner.NetworkName, Is.EqualTo(NodeHarness.NetworkName));
    }

    /// <summary>A dataplane that answers CreateEndpoint with the IPv4 configurations only, as one without IPv6 would.</summary>
    private sealed class Ipv4OnlyDataplane(IHcn inner) : HcnDecorator(inner)
    {
        protected override async Task<T> InvokeAsync<T>(string operation, Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken)
        {
            var result = await call(cancellationToken).ConfigureAwait(false);
            return result is HostComputeEndpoint endpoint && operation == "CreateEndpoint"
                ? (T)(object)(endpoint with { IpConfigurations = [.. (endpoint.IpConfigurations ?? []).Where(c => !c.IpAddress!.Contains(':', StringComparison.Ordinal))] })
                : result;
        }
    }
}
