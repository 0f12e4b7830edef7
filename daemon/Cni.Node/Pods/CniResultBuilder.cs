using System.Net;
using System.Net.Sockets;
using Cni.Hcn.Model;
using Cni.Node.Configuration;
using Cni.Node.Ipam;
using Cni.Spec;
using Cni.Spec.Results;

namespace Cni.Node.Pods;

/// <summary>
/// The CNI result of an attachment (interface, addresses, gateway, default routes, DNS) and the parts the endpoint
/// shares with it (gateway, default destination, DNS), so the endpoint and the result never disagree.
/// </summary>
internal sealed class CniResultBuilder(IIpamStore ipam, NodeOptions options)
{
    public static IpAddressWithPrefix DefaultDestination(AddressFamily family) =>
        family == AddressFamily.InterNetworkV6 ? new(IPAddress.IPv6Any, 0) : new(IPAddress.Any, 0);

    /// <summary>
    /// The result: the leased addresses the endpoint holds (the dataplane's answer, never the lease alone), each with its
    /// family's default route via the gateway.
    /// </summary>
    public CniResult Build(PluginRequest request, IpLease lease, HostComputeEndpoint endpoint)
    {
        var dns = DnsFor(request);
        var held = CniCommandContext.AddressesOf(endpoint);
        var addresses = lease.Addresses.Where(a => held.Contains(a.Address)).ToList();
        return new CniResult
        {
            CniVersion = request.CniVersion,
            Interfaces = [new ResultInterface { Name = request.IfName, Mac = CniMac(endpoint.MacAddress), Mtu = options.Mtu, Sandbox = request.Netns }],
            Ips = [.. addresses.Select(a => new ResultIpConfig { Address = new IpAddressWithPrefix(a.Address, a.Subnet.PrefixLength), Gateway = GatewayFor(a), Interface = 0 })],
            Routes = [.. addresses.Select(a => new ResultRoute { Dst = DefaultDestination(a.Family), Gw = GatewayFor(a) })],
            Dns = dns.IsEmpty ? null : dns,
        };
    }

    /// <summary>
    /// The configured block (the network config's dns, else the node config's), with each list runtimeConfig.dns (the
    /// pod's dnsConfig) gives replacing that list only: servers, searches, options. The domain stays the configured one,
    /// since runtimeConfig.dns has none. Field by field as windows-container-networking does (common/core/network.go
    /// getNetworkInfo); unlike it, no <c>&lt;pod namespace&gt;.</c> is put before the first configured search suffix, because
    /// kubelet's dnsConfig already carries the namespace's search list.
    /// </summary>
    public CniDns DnsFor(PluginRequest request)
    {
        var node = options.Dns;
        var configured = request.Config.Dns is { IsEmpty: false } given
            ? given
            : new CniDns { Nameservers = node.Nameservers, Domain = node.Domain, Search = node.Search, Options = node.Options };
        if (request.Config.RuntimeConfig?.Dns is not { } runtime)
        {
            return configured;
        }

        return configured with
        {
            Nameservers = runtime.Servers.Count > 0 ? runtime.Servers : configured.Nameservers,
            Search = runtime.Searches.Count > 0 ? runtime.Searches : configured.Search,
            Options = runtime.Options.Count > 0 ? runtime.Options : configured.Options,
        };
    }

    /// <summary>L2Bridge pods route via the host endpoint (.2), Transparent pods via the static pool's gateway, the others via the subnet gateway (.1).</summary>
    public IPAddress GatewayFor(LeasedAddress address)
    {
        var pool = ipam.Pools.FirstOrDefault(p => p.Contains(address.Address))
            ?? IpPool.Create(address.Subnet.ToString(), options.Mode, "podCIDRs", options.StaticPool);
        return pool.HostEndpoint ?? pool.Gateway;
    }

    /// <summary>HCN's dash form (00-15-5D-52-C0-00) → CNI's colon form (00:15:5d:52:c0:00).</summary>
    private static string? CniMac(string? mac) =>
        string.IsNullOrEmpty(mac) ? null : mac.Replace('-', ':').ToLowerInvariant();
}
