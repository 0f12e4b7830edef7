using System.Text.Json.Serialization;

namespace Cni.Spec.Json;

// The result documents as each version defines them, one type per shape. Writing goes through these so "emit only
// the fields the target version defines" is enforced by the types themselves rather than by conditionals.

/// <summary>0.3.0 / 0.3.1 / 0.4.0 result.</summary>
internal sealed class ResultDocumentV03
{
    [JsonPropertyName("cniVersion")] public required string CniVersion { get; init; }
    [JsonPropertyName("interfaces")] public List<InterfaceDocument>? Interfaces { get; init; }
    [JsonPropertyName("ips")] public List<IpDocumentV03>? Ips { get; init; }
    [JsonPropertyName("routes")] public List<RouteDocument>? Routes { get; init; }
    [JsonPropertyName("dns")] public DnsDocument? Dns { get; init; }
}

/// <summary>1.0.0 result: no ips[].version, no 1.1 interface or route fields.</summary>
internal sealed class ResultDocumentV100
{
    [JsonPropertyName("cniVersion")] public required string CniVersion { get; init; }
    [JsonPropertyName("interfaces")] public List<InterfaceDocument>? Interfaces { get; init; }
    [JsonPropertyName("ips")] public List<IpDocumentV1>? Ips { get; init; }
    [JsonPropertyName("routes")] public List<RouteDocument>? Routes { get; init; }
    [JsonPropertyName("dns")] public DnsDocument? Dns { get; init; }
}

/// <summary>1.1.0 result.</summary>
internal sealed class ResultDocumentV110
{
    [JsonPropertyName("cniVersion")] public required string CniVersion { get; init; }
    [JsonPropertyName("interfaces")] public List<InterfaceDocumentV110>? Interfaces { get; init; }
    [JsonPropertyName("ips")] public List<IpDocumentV1>? Ips { get; init; }
    [JsonPropertyName("routes")] public List<RouteDocumentV110>? Routes { get; init; }
    [JsonPropertyName("dns")] public DnsDocument? Dns { get; init; }
}

/// <summary>Interface up to 1.0.0.</summary>
internal sealed class InterfaceDocument
{
    [JsonPropertyName("name")] public required string Name { get; init; }
    [JsonPropertyName("mac")] public string? Mac { get; init; }
    [JsonPropertyName("sandbox")] public string? Sandbox { get; init; }
}

/// <summary>Interface in 1.1.0.</summary>
internal sealed class InterfaceDocumentV110
{
    [JsonPropertyName("name")] public required string Name { get; init; }
    [JsonPropertyName("mac")] public string? Mac { get; init; }
    [JsonPropertyName("mtu")] public int? Mtu { get; init; }
    [JsonPropertyName("sandbox")] public string? Sandbox { get; init; }
    [JsonPropertyName("socketPath")] public string? SocketPath { get; init; }
    [JsonPropertyName("pciID")] public string? PciId { get; init; }
}

/// <summary>IP config in 0.3.x/0.4.0: carries the address family as "4"/"6".</summary>
internal sealed class IpDocumentV03
{
    [JsonPropertyName("version")] public required string Version { get; init; }
    [JsonPropertyName("interface")] public int? Interface { get; init; }
    [JsonPropertyName("address")] public required string Address { get; init; }
    [JsonPropertyName("gateway")] public string? Gateway { get; init; }
}

/// <summary>IP config in 1.x.</summary>
internal sealed class IpDocumentV1
{
    [JsonPropertyName("interface")] public int? Interface { get; init; }
    [JsonPropertyName("address")] public required string Address { get; init; }
    [JsonPropertyName("gateway")] public string? Gateway { get; init; }
}

/// <summary>Route up to 1.0.0.</summary>
internal sealed class RouteDocument
{
    [JsonPropertyName("dst")] public required string Dst { get; init; }
    [JsonPropertyName("gw")] public string? Gw { get; init; }
}

/// <summary>Route in 1.1.0.</summary>
internal sealed class RouteDocumentV110
{
    [JsonPropertyName("dst")] public required string Dst { get; init; }
    [JsonPropertyName("gw")] public string? Gw { get; init; }
    [JsonPropertyName("mtu")] public int? Mtu { get; init; }
    [JsonPropertyName("advmss")] public int? AdvMss { get; init; }
    [JsonPropertyName("priority")] public int? Priority { get; init; }
    [JsonPropertyName("table")] public int? Table { get; init; }
    [JsonPropertyName("scope")] public int? Scope { get; init; }
}

/// <summary>DNS block (results and configs alike); empty lists are left out.</summary>
internal sealed class DnsDocument
{
    [JsonPropertyName("nameservers")] public List<string>? Nameservers { get; init; }
    [JsonPropertyName("domain")] public string? Domain { get; init; }
    [JsonPropertyName("search")] public List<string>? Search { get; init; }
    [JsonPropertyName("options")] public List<string>? Options { get; init; }
}
