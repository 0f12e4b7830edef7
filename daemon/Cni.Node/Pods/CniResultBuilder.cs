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

    /// <summary>runtimeConfig.dns (the pod's dnsConfig) wins, then the network config's dns, then the node config's.</summary>
    public CniDns DnsFor(PluginRequest request)
    {
        if (request.Config.RuntimeConfig?.Dns is { } runtime && (runtime.Servers.Count > 0 || runtime.Searches.Count > 0 || runtime.Options.Count > 0))
        {
            return new CniDns { Nameservers = runtime.Servers, Search = runtime.Searches, Options = runtime.Options };
        }

        if (request.Config.Dns is { IsEmpty: false } configured)
        {
            return configured;
        }

        var node = options.Dns;
        return new CniDns { Nameservers = node.Nameservers, Domain = node.Domain, Search = node.Search, Options = node.Options };
    }

    /// <summary>L2Bridge pods route via the host endpoint (.2), Overlay pods via the subnet gateway (.1).</summary>
    public IPAddress GatewayFor(LeasedAddress address)
    {
        var pool = ipam.Pools.FirstOrDefault(p => p.Contains(address.Address))
            ?? IpPool.Create(address.Subnet.ToString(), options.Mode, "podCIDRs");
        return pool.HostEndpoint ?? pool.Gateway;
    }

    /// <summary>HCN's dash form (00-15-5D-52-C0-00) → CNI's colon form (00:15:5d:52:c0:00).</summary>
    private static string? CniMac(string? mac) =>
        string.IsNullOrEmpty(mac) ? null : mac.Replace('-', ':').ToLowerInvariant();
}
