using System.Net;
using Cni.Hcn.Model;
using Cni.Hcn.Model.Policies;
using Cni.Node.Configuration;
using Cni.Node.Dataplane;
using Cni.Node.Networks;
using Cni.Spec;

namespace Cni.Node.Tests.Pods;

/// <summary>
/// ADD with the isolation settings: CNI_ARGS VLAN, the node's OutBoundNAT and firewall config, and pods whose sandbox
/// is a Hyper-V utility VM (an HCN namespace of type Guest) beside process-isolated ones (type Host).
/// </summary>
public sealed class CniCommandHandlerIsolationTests
{
    private static readonly string Pod = EndpointNames.For(NodeHarness.NetworkName, "c1", "eth0");

    [Test]
    public async Task HandleAsync_AddWithCniArgsVlan_EndpointCarriesTheVlanPolicy()
    {
        await using var node = await NodeHarness.CreateAsync(NetworkMode.L2Bridge);

        var outcome = await node.AddAsync("c1", (await node.NewNamespaceAsync()).ToString(), args: "IgnoreUnknown=1;VLAN=100");

        Assert.That(outcome.IsSuccess, Is.True, outcome.Error?.Msg);
        var endpoint = (await node.EndpointsAsync()).Single(e => e.Name == Pod);
        Assert.That(endpoint.Policies!.Select(p => p.GetSettings<VlanPolicySetting>()?.IsolationId).OfType<uint>(), Is.EqualTo(new[] { 100u }));
    }

    [TestCase(NetworkMode.L2Bridge, "VLAN=4095", "VLAN '4095' is not a VLAN ID (1-4094)")]
    [TestCase(NetworkMode.L2Bridge, "VLAN=x", "VLAN 'x' is not a VLAN ID")]
    [TestCase(NetworkMode.Overlay, "VLAN=10", "cannot apply to an overlay network")]
    public async Task HandleAsync_AddWithBadVlan_Code4NamingVlanAndNothingLeased(NetworkMode mode, string args, string expected)
    {
        await using var node = await NodeHarness.CreateAsync(mode);

        var outcome = await node.AddAsync("c1", (await node.NewNamespaceAsync()).ToString(), args: args);

        Assert.That(outcome.Error!.Code, Is.EqualTo(CniErrorCode.InvalidEnvironmentVariables));
        Assert.That(outcome.Error.Msg, Does.StartWith("CNI_ARGS: VLAN").And.Contain(expected));
        Assert.That(await node.LeasesAsync(), Is.Empty);
        Assert.That((await node.EndpointsAsync()).Where(e => e.Name == Pod), Is.Empty);
    }

    [Test]
    public async Task HandleAsync_AddWithNatOffAndInboundBlock_NoOutboundNatAndAclPolicies()
    {
        await using var node = await NodeHarness.CreateAsync(NetworkMode.L2Bridge, configure: o => o with
        {
            OutboundNat = new OutboundNatOptions { Enabled = false },
            Firewall = new FirewallOptions
            {
                Inbound = new FirewallDirectionOptions
                {
                    Default = FirewallAction.Block,
                    Allow = [new FirewallRule { Remote = [IPNetwork.Parse("10.244.0.0/16")], Protocol = "tcp", Ports = [80] }],
                },
            },
        });

        var outcome = await node.AddAsync("c1", (await node.NewNamespaceAsync()).ToString());

        Assert.That(outcome.IsSuccess, Is.True, outcome.Error?.Msg);
        var policies = (await node.EndpointsAsync()).Single(e => e.Name == Pod).Policies!;
        Assert.That(policies.Select(p => p.Type), Has.None.EqualTo(EndpointPolicyType.OutBoundNat));
        var acls = policies.Select(p => p.GetSettings<AclPolicySetting>()).OfType<AclPolicySetting>().ToList();
        Assert.That(acls.Select(a => (a.Action.ToString(), a.Direction.ToString(), a.Priority)), Is.EqualTo(new[]
        {
            ("Allow", "In", (ushort)1000), ("Allow", "In", (ushort)1000), ("Block", "In", (ushort)65000),
        }));
    }

    /// <summary>
    /// containerd's Windows sandbox flow (hcsshim): the CRI plugin creates the HCN namespace and passes its GUID as
    /// CNI_NETNS whatever the isolation; for a Hyper-V pod hcsshim later hot-adds the namespace's endpoints to the
    /// utility VM, so no vNIC of the pod ever appears in the host. ADD must complete on the attach alone.
    /// </summary>
    [TestCase("Host")]
    [TestCase("Guest")]
    public async Task HandleAsync_AddIntoProcessOrHyperVSandboxNamespace_CompletesOnTheAttachWithoutWaitingForAHostVnic(string sandboxType)
    {
        await using var node = await NodeHarness.CreateAsync(NetworkMode.L2Bridge, namespaces: _ => new HcnNamespaceResolver());
        var ns = await node.Hcn.CreateNamespaceAsync(new HostComputeNamespace { Type = new NamespaceType(sandboxType) }, CancellationToken.None);
        var hostCalls = node.HostRouting.Calls;

        var outcome = await node.AddAsync("c1", ns.Id.ToString());

        Assert.That(outcome.IsSuccess, Is.True, outcome.Error?.Msg);
        Assert.That(node.HostRouting.Calls, Is.EqualTo(hostCalls), "the ADD never looks for (or waits on) a host interface of the pod");
        var endpoint = (await node.EndpointsAsync()).Single(e => e.Name == Pod);
        Assert.That(endpoint.HostComputeNamespace, Is.EqualTo(ns.Id));
        Assert.That(NodeHarness.Result(outcome).Parsed.Interfaces.Single().Sandbox, Is.EqualTo(ns.Id.ToString()));
        Assert.That((await node.DelAsync("c1", ns.Id.ToString())).IsSuccess, Is.True);
        Assert.That(await node.EndpointsAsync(), Has.None.Matches<HostComputeEndpoint>(e => e.Name == Pod));
    }
}
