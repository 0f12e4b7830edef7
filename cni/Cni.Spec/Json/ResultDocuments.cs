using Cni.Spec.Results;

namespace Cni.Spec.Json;

/// <summary>
/// Maps the canonical result to each version's document (the rules of containernetworking/cni pkg/types/100 and 040
/// converters, but strict: they copy newer fields into older versions, this does not): down-conversion derives
/// <c>ips[].version</c> and drops what the target does not define; 1.x leaves out an empty dns.
/// </summary>
internal static class ResultDocuments
{
    public static ResultDocumentV03 ToV03(CniResult r) => new()
    {
        CniVersion = r.CniVersion,
        Interfaces = NullIfEmpty(r.Interfaces.Select(ToInterface)),
        Ips = NullIfEmpty(r.Ips.Select(ip => new IpDocumentV03
        {
            Version = ip.Address.IsIPv4 ? "4" : "6",
            Interface = ip.Interface,
            Address = ip.Address.ToString(),
            Gateway = ip.Gateway is null ? null : IpText.Format(ip.Gateway),
        })),
        Routes = NullIfEmpty(r.Routes.Select(ToRoute)),

        // The 0.4.0 library writes "dns":{} for an empty block; keep whatever was there so round trips are exact.
        Dns = r.Dns is null ? null : ToDns(r.Dns),
    };

    public static ResultDocumentV100 ToV100(CniResult r) => new()
    {
        CniVersion = r.CniVersion,
        Interfaces = NullIfEmpty(r.Interfaces.Select(ToInterface)),
        Ips = NullIfEmpty(r.Ips.Select(ToIpV1)),
        Routes = NullIfEmpty(r.Routes.Select(ToRoute)),
        Dns = r.Dns is null || r.Dns.IsEmpty ? null : ToDns(r.Dns),
    };

    public static ResultDocumentV110 ToV110(CniResult r) => new()
    {
        CniVersion = r.CniVersion,
        Interfaces = NullIfEmpty(r.Interfaces.Select(i => new InterfaceDocumentV110
        {
            Name = i.Name,
            Mac = i.Mac,
            Mtu = i.Mtu,
            Sandbox = i.Sandbox,
            SocketPath = i.SocketPath,
            PciId = i.PciId,
        })),
        Ips = NullIfEmpty(r.Ips.Select(ToIpV1)),
        Routes = NullIfEmpty(r.Routes.Select(rt => new RouteDocumentV110
        {
            Dst = rt.Dst.ToString(),
            Gw = rt.Gw is null ? null : IpText.Format(rt.Gw),
            Mtu = rt.Mtu,
            AdvMss = rt.AdvMss,
            Priority = rt.Priority,
            Table = rt.Table,
            Scope = rt.Scope,
        })),
        Dns = r.Dns is null || r.Dns.IsEmpty ? null : ToDns(r.Dns),
    };

    public static DnsDocument ToDns(CniDns dns) => new()
    {
        Nameservers = NullIfEmpty(dns.Nameservers),
        Domain = string.IsNullOrEmpty(dns.Domain) ? null : dns.Domain,
        Search = NullIfEmpty(dns.Search),
        Options = NullIfEmpty(dns.Options),
    };

    private static InterfaceDocument ToInterface(ResultInterface i) => new() { Name = i.Name, Mac = i.Mac, Sandbox = i.Sandbox };

    private static IpDocumentV1 ToIpV1(ResultIpConfig ip) => new()
    {
        Interface = ip.Interface,
        Address = ip.Address.ToString(),
        Gateway = ip.Gateway is null ? null : IpText.Format(ip.Gateway),
    };

    private static RouteDocument ToRoute(ResultRoute rt) => new()
    {
        Dst = rt.Dst.ToString(),
        Gw = rt.Gw is null ? null : IpText.Format(rt.Gw),
    };

    private static List<T>? NullIfEmpty<T>(IEnumerable<T> items)
    {
        var list = items.ToList();
        return list.Count == 0 ? null : list;
    }
}
