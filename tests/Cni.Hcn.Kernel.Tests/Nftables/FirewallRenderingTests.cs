using Cni.Hcn.Kernel.Layout;
using Cni.Hcn.Kernel.Nftables;
using Cni.Hcn.Model;
using Cni.Hcn.Model.Policies;

namespace Cni.Hcn.Kernel.Tests.Nftables;

/// <summary>The filter chains NftRenderer adds for VLAN isolation and ACL policies (text only, no kernel).</summary>
[TestFixture]
public sealed class FirewallRenderingTests
{
    private static readonly NetworkLayout Network = Layout(vlan: null);

    [Test]
    public void RenderNetwork_OneVlanOnly_NoFilterChains()
    {
        var vlan = EndpointPolicy.Create(new VlanPolicySetting { IsolationId = 10 });

        Assert.That(NftRenderer.RenderNetwork(Network, [Endpoint(1, "10.244.1.5", vlan), Endpoint(2, "10.244.1.6", vlan)]), Is.Null);
    }

    [Test]
    public void RenderNetwork_TwoVlans_EachGroupDroppedTowardsTheOthers()
    {
        var text = NftRenderer.RenderNetwork(Network,
        [
            Endpoint(1, "10.244.1.5", Vlan(10)), Endpoint(2, "10.244.1.6", Vlan(10)), Endpoint(3, "10.244.1.7", Vlan(20)), Endpoint(4, "10.244.1.8"),
        ])!;

        Assert.That(text, Does.Contain("chain filter_forward {\n\t\ttype filter hook forward priority filter; policy accept;\n\t\tjump vlan_groups\n\t}"));
        Assert.That(text, Does.Contain("ip saddr { 10.244.1.8 } ip daddr { 10.244.1.5, 10.244.1.6, 10.244.1.7 } drop"), "no VLAN is a group of its own");
        Assert.That(text, Does.Contain("ip saddr { 10.244.1.5, 10.244.1.6 } ip daddr { 10.244.1.7, 10.244.1.8 } drop"));
        Assert.That(text, Does.Contain("ip saddr { 10.244.1.7 } ip daddr { 10.244.1.5, 10.244.1.6, 10.244.1.8 } drop"));
        Assert.That(text, Does.Not.Contain("filter_input"), "VLANs isolate pods from pods, not from the node");
    }

    [Test]
    public void RenderNetwork_NetworkVlanAndEndpointVlan_EndpointsOwnWins()
    {
        var text = NftRenderer.RenderNetwork(Layout(vlan: 10), [Endpoint(1, "10.244.1.5"), Endpoint(2, "10.244.1.6", Vlan(20))])!;

        Assert.That(text, Does.Contain("ip saddr { 10.244.1.5 } ip daddr { 10.244.1.6 } drop"));
        Assert.That(text, Does.Contain("ip saddr { 10.244.1.6 } ip daddr { 10.244.1.5 } drop"));
    }

    [Test]
    public void RenderNetwork_Acls_PriorityOrderFirstMatchAllowReturnsBlockDrops()
    {
        var endpoint = Endpoint(1, "10.244.1.5",
            Acl("Block", "In", 65000),
            Acl("Allow", "In", 1000, protocols: "6", remote: "10.244.0.0/16,fd00::/8", localPorts: "80,8080"),
            Acl("Allow", "Out", 1000, protocols: "17", remotePorts: "53"),
            Acl("Block", "Out", 65000));

        var text = NftRenderer.RenderNetwork(Network, [endpoint])!;
        var id = endpoint.Id.ToString("N");

        Assert.That(text, Does.Contain("chain filter_input {\n\t\ttype filter hook input priority filter; policy accept;\n\t\tjump acl_check\n\t}"));
        Assert.That(text, Does.Contain("chain filter_output {\n\t\ttype filter hook output priority filter; policy accept;\n\t\tjump acl_check\n\t}"));
        Assert.That(text, Does.Contain($"chain acl_check {{\n\t\tct state established,related accept\n\t\tip daddr 10.244.1.5 jump acl_in_{id}\n\t\tip saddr 10.244.1.5 jump acl_out_{id}\n\t}}"));
        Assert.That(text, Does.Contain($"chain acl_in_{id} {{\n\t\tmeta l4proto {{ 6 }} ip saddr {{ 10.244.0.0/16 }} th dport {{ 80, 8080 }} return\n\t\tdrop\n\t}}"));
        Assert.That(text, Does.Contain($"chain acl_out_{id} {{\n\t\tmeta l4proto {{ 17 }} th dport {{ 53 }} return\n\t\tdrop\n\t}}"));
    }

    [Test]
    public void RenderNetwork_AclOnlyForTheOtherFamily_RuleLeftOutOfThisTable()
    {
        var text = NftRenderer.RenderNetwork(Network, [Endpoint(1, "10.244.1.5", Acl("Allow", "In", 1000, remote: "fd00::/8"), Acl("Block", "In", 65000))])!;

        Assert.That(text, Does.Not.Contain("fd00"));
        Assert.That(text, Does.Contain("\t\tdrop\n"));
    }

    [Test]
    public void RenderNetwork_AclFieldsThatAreNotNumbers_NeverReachTheText()
    {
        var text = NftRenderer.RenderNetwork(Network,
        [
            Endpoint(1, "10.244.1.5", Acl("Block", "In", 1, protocols: "6 } accept; {", localPorts: "80;drop,81", remote: "10.0.0.0/8,x; flush ruleset")),
        ])!;

        Assert.That(text, Does.Not.Contain("flush").And.Not.Contain("accept; {").And.Not.Contain("80;drop"));
        Assert.That(text, Does.Contain("ip saddr { 10.0.0.0/8 } th dport { 81 } drop"));
    }

    [Test]
    public void RenderNetwork_IPv6Acls_NeighbourDiscoveryAlwaysPasses()
    {
        var dualStack = NetworkLayout.From(new HostComputeNetwork
        {
            Id = Guid.Parse("11111111-1111-1111-1111-111111111111"),
            Name = "cbr0",
            Type = NetworkType.L2Bridge,
            Ipams = [new Ipam { Subnets = [new Subnet { IpAddressPrefix = "10.244.1.0/24" }, new Subnet { IpAddressPrefix = "fd00:1::/64" }] }],
        });
        var endpoint = new HostComputeEndpoint
        {
            Id = Guid.NewGuid(),
            IpConfigurations = [new IpConfig { IpAddress = "10.244.1.5", PrefixLength = 24 }, new IpConfig { IpAddress = "fd00:1::5", PrefixLength = 64 }],
            Policies = [Acl("Block", "In", 65000)],
        };

        var text = NftRenderer.RenderNetwork(dualStack, [endpoint], family: NftFamily.Ip6)!;

        Assert.That(text, Does.StartWith($"table ip6 {dualStack.Table}"));
        Assert.That(text, Does.Contain("chain acl_check {\n\t\ticmpv6 type { nd-neighbor-solicit, nd-neighbor-advert, nd-router-solicit, nd-router-advert } accept\n"));
        Assert.That(text, Does.Contain("ip6 daddr fd00:1::5 jump acl_in_"));
    }

    private static NetworkLayout Layout(uint? vlan) => NetworkLayout.From(new HostComputeNetwork
    {
        Id = Guid.Parse("11111111-1111-1111-1111-111111111111"),
        Name = "cbr0",
        Type = NetworkType.L2Bridge,
        Ipams =
        [
            new Ipam
            {
                Subnets =
                [
                    new Subnet
                    {
                        IpAddressPrefix = "10.244.1.0/24",
                        Policies = vlan is { } v ? [SubnetPolicy.Create(new VlanPolicySetting { IsolationId = v })] : null,
                    },
                ],
            },
        ],
    });

    private static EndpointPolicy Vlan(uint id) => EndpointPolicy.Create(new VlanPolicySetting { IsolationId = id });

    private static EndpointPolicy Acl(string action, string direction, ushort priority, string? protocols = null, string? remote = null, string? localPorts = null, string? remotePorts = null) =>
        EndpointPolicy.Create(new AclPolicySetting
        {
            Action = new ActionType(action),
            Direction = new DirectionType(direction),
            Priority = priority,
            Protocols = protocols,
            RemoteAddresses = remote,
            LocalPorts = localPorts,
            RemotePorts = remotePorts,
            RuleType = RuleType.Switch,
        });

    private static HostComputeEndpoint Endpoint(int n, string ip, params EndpointPolicy[] policies) => new()
    {
        Id = Guid.Parse($"00000000-0000-0000-0000-{n:D12}"),
        IpConfigurations = [new IpConfig { IpAddress = ip, PrefixLength = 24 }],
        Policies = policies,
    };
}
