using System.Net;
using System.Net.NetworkInformation;
using Cni.Daemon.Configuration;
using Cni.Node.Configuration;

namespace Cni.Daemon.Tests.Configuration;

/// <summary>The keys vlan, adapters, outboundNat and firewall: values read, bad input named by key and line.</summary>
[TestFixture]
public sealed class NodeConfigLoaderIsolationTests
{
    private static string Problems(string yaml) =>
        Assert.Throws<NodeConfigException>(() => NodeConfigLoader.Parse(yaml, "node.yaml"))!.Message;

    [Test]
    public void Parse_NoIsolationKeys_DefaultsAllowAllNatOnNoVlanNoAdapters()
    {
        var options = NodeConfigLoader.Parse("mode: l2bridge", "node.yaml");

        Assert.Multiple(() =>
        {
            Assert.That(options.Vlan, Is.Null);
            Assert.That(options.Adapters, Is.Empty);
            Assert.That(options.OutboundNat, Is.EqualTo(new OutboundNatOptions()));
            Assert.That(options.OutboundNat.Enabled, Is.True);
            Assert.That(options.Firewall.Inbound.Default, Is.EqualTo(FirewallAction.Allow));
            Assert.That(options.Firewall.Outbound.Default, Is.EqualTo(FirewallAction.Allow));
            Assert.That(options.Firewall.IsActive, Is.False);
        });
    }

    [Test]
    public void Parse_EveryIsolationKey_Read()
    {
        var options = NodeConfigLoader.Parse("""
            mode: l2bridge
            vlan: 11
            adapters:
              - name: Ethernet 2
              - mac: 00:15:5d:01:02:03
              - subnet: 198.51.100.0/24
            outboundNat: {enabled: true, exceptions: [172.16.0.0/12]}
            firewall:
              inbound:
                default: block
                allow:
                  - {remote: [10.244.0.0/16], protocol: tcp, ports: [80, 443]}
                  - {protocol: icmp}
              outbound: {default: allow}
            """, "node.yaml");

        Assert.Multiple(() =>
        {
            Assert.That(options.Vlan, Is.EqualTo(11));
            Assert.That(options.Adapters.Select(a => a.ToString()), Is.EqualTo(new[] { "name Ethernet 2", "mac 00-15-5D-01-02-03", "subnet 198.51.100.0/24" }));
            Assert.That(options.Adapters[1].MacAddress, Is.EqualTo(PhysicalAddress.Parse("00-15-5D-01-02-03")));
            Assert.That(options.OutboundNat.Exceptions, Is.EqualTo(new[] { IPNetwork.Parse("172.16.0.0/12") }));
            Assert.That(options.Firewall.Inbound.Default, Is.EqualTo(FirewallAction.Block));
            Assert.That(options.Firewall.Inbound.Allow, Has.Count.EqualTo(2));
            Assert.That(options.Firewall.Inbound.Allow[0].Remote, Is.EqualTo(new[] { IPNetwork.Parse("10.244.0.0/16") }));
            Assert.That(options.Firewall.Inbound.Allow[0].Ports, Is.EqualTo(new[] { 80, 443 }));
            Assert.That(options.Firewall.Inbound.Allow[1].Protocol, Is.EqualTo("icmp"));
            Assert.That(options.Firewall.Outbound.Default, Is.EqualTo(FirewallAction.Allow));
        });
    }

    [Test]
    public void Parse_OutboundNatOff_Read()
    {
        Assert.That(NodeConfigLoader.Parse("outboundNat: {enabled: false}", "node.yaml").OutboundNat.Enabled, Is.False);
    }

    [TestCase("mode: l2bridge\nvlan: 4095", "line 2: vlan: 4095 is outside 1..4094")]
    [TestCase("mode: l2bridge\nvlan: ten", "line 2: vlan: 'ten' is not a whole number")]
    [TestCase("mode: overlay\nvlan: 11", "line 2: vlan: 11 cannot apply to an overlay network")]
    [TestCase("adapters:\n  - {name: a, mac: 00-15-5D-01-02-03}", "line 2: adapters[0]: give exactly one of name, mac, subnet")]
    [TestCase("adapters:\n  - {mac: 00-15-5D}", "line 2: adapters[0].mac: '00-15-5D' is not a MAC address")]
    [TestCase("adapters:\n  - {subnet: 10.0.0.1/8}", "line 2: adapters[0].subnet: '10.0.0.1/8' is not a CIDR")]
    [TestCase("adapters:\n  - {nmae: a}", "unknown key 'adapters[0].nmae'")]
    [TestCase("adapters: Ethernet", "line 1: adapters: must be a list")]
    [TestCase("adapterName: Ethernet\nadapters: [{name: Ethernet 2}]", "line 2: adapters: give either adapterName or adapters, not both")]
    [TestCase("outboundNat: {enabled: maybe}", "outboundNat.enabled: 'maybe' is not true or false")]
    [TestCase("outboundNat: {exceptions: [300.0.0.0/8]}", "outboundNat.exceptions[0]: '300.0.0.0/8' is not a CIDR")]
    [TestCase("outboundNat: {enabled: false, exceptions: [10.0.0.0/8]}", "outboundNat.exceptions: has no effect with outboundNat.enabled: false")]
    [TestCase("firewall: {inbound: {default: deny}}", "firewall.inbound.default: 'deny' is not one of allow, block")]
    [TestCase("firewall: {outbound: {default: block, allow: [{protocol: gre}]}}", "firewall.outbound.allow[0].protocol: 'gre' is not one of tcp, udp, icmp")]
    [TestCase("firewall: {outbound: {default: block, allow: [{ports: [53]}]}}", "firewall.outbound.allow[0].ports: ports need protocol: tcp or udp")]
    [TestCase("firewall: {outbound: {default: block, allow: [{protocol: udp, ports: [0]}]}}", "firewall.outbound.allow[0].ports[0]: '0' is not a port (1-65535)")]
    [TestCase("firewall: {inbound: {allow: [{protocol: tcp}]}}", "firewall.inbound.allow: has no effect unless firewall.inbound.default is block")]
    [TestCase("firewall: {sideways: {}}", "unknown key 'firewall.sideways'")]
    public void Parse_BadIsolationValue_ErrorNamesKeyAndLine(string yaml, string expected)
    {
        Assert.That(Problems(yaml), Does.Contain(expected));
    }
}
