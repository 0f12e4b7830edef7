using System.Globalization;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Text.Json;
using k8s.Models;

namespace Cni.Node.Kubernetes.Flannel;

/// <summary>
/// The flannel Node-annotation protocol (flannel-io/flannel pkg/subnet/kube: <c>flannel.alpha.coreos.com/</c>
/// backend-type, backend-data, public-ip, public-ip-overwrite, kube-subnet-manager): composes what this node publishes
/// and parses what a peer published. Parsing never throws on bad input; it names the annotation or field that is wrong.
/// </summary>
public sealed class FlannelAnnotations
{
    /// <summary>flannel's default annotation prefix (its <c>--kube-annotation-prefix</c>).</summary>
    public const string DefaultPrefix = "flannel.alpha.coreos.com";

    /// <summary>The largest VNI (24 bits).</summary>
    public const int MaximumVni = 0xFFFFFF;

    /// <summary>Creates the codec for an annotation prefix.</summary>
    /// <param name="prefix">The prefix, a DNS subdomain such as <see cref="DefaultPrefix"/>.</param>
    /// <exception cref="ArgumentException">The prefix is not a valid annotation prefix.</exception>
    public FlannelAnnotations(string prefix = DefaultPrefix)
    {
        if (!IsValidPrefix(prefix))
        {
            throw new ArgumentException($"annotation prefix '{prefix}' is not a DNS subdomain (lower-case letters, digits, '-' and '.', at most 253 characters)", nameof(prefix));
        }

        Prefix = prefix;
        BackendType = prefix + "/backend-type";
        BackendData = prefix + "/backend-data";
        PublicIp = prefix + "/public-ip";
        PublicIpOverwrite = prefix + "/public-ip-overwrite";
        PublicIpv6 = prefix + "/public-ipv6";
        PublicIpv6Overwrite = prefix + "/public-ipv6-overwrite";
        NodePublicIp = prefix + "/node-public-ip";
        KubeSubnetManager = prefix + "/kube-subnet-manager";
    }

    public string Prefix { get; }

    /// <summary><c>&lt;prefix&gt;/backend-type</c>: <c>vxlan</c> or <c>host-gw</c>.</summary>
    public string BackendType { get; }

    /// <summary><c>&lt;prefix&gt;/backend-data</c>: vxlan <c>{"VNI":4096,"VtepMAC":"aa:…"}</c>, host-gw <c>null</c>.</summary>
    public string BackendData { get; }

    /// <summary><c>&lt;prefix&gt;/public-ip</c>: the underlay address peers send to.</summary>
    public string PublicIp { get; }

    /// <summary><c>&lt;prefix&gt;/public-ip-overwrite</c>: set by an admin; replaces public-ip (nodes behind NAT).</summary>
    public string PublicIpOverwrite { get; }

    /// <summary><c>&lt;prefix&gt;/public-ipv6</c>: a dual-stack node's IPv6 underlay address (flannel's key), the next hop of its IPv6 pod CIDR.</summary>
    public string PublicIpv6 { get; }

    /// <summary><c>&lt;prefix&gt;/public-ipv6-overwrite</c>: set by an admin; replaces public-ipv6.</summary>
    public string PublicIpv6Overwrite { get; }

    /// <summary><c>&lt;prefix&gt;/node-public-ip</c>: set by an admin; picks this node's address.</summary>
    public string NodePublicIp { get; }

    /// <summary><c>&lt;prefix&gt;/kube-subnet-manager</c>: always <c>"true"</c> (subnets come from spec.podCIDRs).</summary>
    public string KubeSubnetManager { get; }

    /// <summary>
    /// The annotations this node publishes. <paramref name="nodeIp"/> is published as public-ip unless
    /// <paramref name="self"/> carries a valid public-ip-overwrite, which then replaces it (as flannel does).
    /// </summary>
    /// <param name="backend">This node's backend.</param>
    /// <param name="nodeIp">This node's address (see <see cref="SelectNodeIp"/>).</param>
    /// <param name="self">This node's Node object, for public-ip-overwrite; null when not known.</param>
    /// <param name="nodeIpv6">A dual-stack node's IPv6 address, published as public-ipv6 (as flannel does); null for none.</param>
    /// <returns>Annotation key → value.</returns>
    /// <exception cref="ArgumentException">vxlan without a VTEP MAC or with a VNI out of range.</exception>
    public IReadOnlyDictionary<string, string> Compose(LocalBackend backend, IPAddress nodeIp, V1Node? self = null, IPAddress? nodeIpv6 = null)
    {
        ArgumentNullException.ThrowIfNull(backend);
        ArgumentNullException.ThrowIfNull(nodeIp);
        var publicIp = self is not null && TryGetOverwrite(self) is { } overwrite ? overwrite : nodeIp;
        var annotations = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [BackendType] = FormatBackendType(backend.Type),
            [BackendData] = FormatBackendData(backend),
            [PublicIp] = publicIp.ToString(),
            [KubeSubnetManager] = "true",
        };
        if (nodeIpv6 is { AddressFamily: AddressFamily.InterNetworkV6 })
        {
            annotations[PublicIpv6] = nodeIpv6.ToString();
        }

        return annotations;
    }

    /// <summary>
    /// Picks this node's address: the configured one if set, else a valid <c>node-public-ip</c> annotation, else the
    /// first IPv4 InternalIP in <c>status.addresses</c>.
    /// </summary>
    /// <param name="node">This node's Node object.</param>
    /// <param name="configured">The node config's <c>nodeIP</c>, or null.</param>
    /// <param name="error">Why no address could be picked, naming the field.</param>
    /// <returns>The address, or null with <paramref name="error"/> set.</returns>
    public IPAddress? SelectNodeIp(V1Node node, IPAddress? configured, out string? error)
    {
        ArgumentNullException.ThrowIfNull(node);
        error = null;
        if (configured is not null)
        {
            return configured;
        }

        var name = node.Metadata?.Name ?? "?";
        if (node.Metadata?.Annotations?.TryGetValue(NodePublicIp, out var text) == true)
        {
            if (IPAddress.TryParse(text, out var address))
            {
                return address;
            }

            error = $"Node '{name}': annotation {NodePublicIp} '{text}' is not an IP address";
            return null;
        }

        if (FindInternalIp(node) is { } internalIp)
        {
            return internalIp;
        }

        error = $"Node '{name}' has no InternalIP in status.addresses (set nodeIP in the node config or annotation {NodePublicIp})";
        return null;
    }

    /// <summary>The valid public-ip-overwrite of a Node, or null when absent or malformed (flannel ignores a malformed one).</summary>
    /// <returns>The address, or null.</returns>
    public IPAddress? TryGetOverwrite(V1Node node)
    {
        ArgumentNullException.ThrowIfNull(node);
        return node.Metadata?.Annotations?.TryGetValue(PublicIpOverwrite, out var text) == true
            && IPAddress.TryParse(text, out var address) && address.AddressFamily == AddressFamily.InterNetwork
            ? address
            : null;
    }

    /// <summary>
    /// A Node's underlay address as flannel peers use it (public-ip-overwrite, else public-ip, else the IPv4
    /// InternalIP), without requiring the rest of the peer annotations; null when none is valid.
    /// </summary>
    /// <param name="node">The Node object.</param>
    /// <returns>The address, or null.</returns>
    public IPAddress? TryGetPublicIp(V1Node node)
    {
        ArgumentNullException.ThrowIfNull(node);
        var annotations = node.Metadata?.Annotations ?? new Dictionary<string, string>();
        return ParsePublicIp(node, node.Metadata?.Name ?? string.Empty, annotations, out _);
    }

    /// <summary>Parses a peer Node into a <see cref="PeerNode"/>, or reports which field is missing or malformed.</summary>
    /// <param name="node">The peer's Node object.</param>
    /// <returns>The peer or the error.</returns>
    public PeerNodeParseResult ParsePeer(V1Node node)
    {
        ArgumentNullException.ThrowIfNull(node);
        var name = node.Metadata?.Name;
        if (string.IsNullOrEmpty(name))
        {
            return PeerNodeParseResult.Malformed("metadata.name", "Node has no metadata.name");
        }

        var cidrs = ParsePodCidrs(node, name, out var cidrError);
        if (cidrError is not null)
        {
            return cidrError;
        }

        var annotations = node.Metadata!.Annotations ?? new Dictionary<string, string>();
        if (!annotations.TryGetValue(BackendType, out var typeText) || string.IsNullOrEmpty(typeText))
        {
            return PeerNodeParseResult.Missing(BackendType, $"Node '{name}': annotation {BackendType} is missing (the node has not published its backend yet)");
        }

        FlannelBackendType type;
        switch (typeText)
        {
            case "vxlan":
                type = FlannelBackendType.Vxlan;
                break;
            case "host-gw":
                type = FlannelBackendType.HostGw;
                break;
            default:
                return PeerNodeParseResult.Malformed(BackendType, $"Node '{name}': annotation {BackendType} '{typeText}' is not a supported backend (vxlan or host-gw)");
        }

        int? vni = null;
        PhysicalAddress? mac = null;
        if (type == FlannelBackendType.Vxlan)
        {
            if (!annotations.TryGetValue(BackendData, out var dataText) || string.IsNullOrEmpty(dataText))
            {
                return PeerNodeParseResult.Missing(BackendData, $"Node '{name}': annotation {BackendData} is missing (vxlan needs VNI and VtepMAC)");
            }

            if (ParseVxlanData(name, dataText, out var parsedVni, out var parsedMac) is { } dataError)
            {
                return dataError;
            }

            vni = parsedVni;
            mac = parsedMac;
        }

        var publicIp = ParsePublicIp(node, name, annotations, out var ipError);
        if (ipError is not null)
        {
            return ipError;
        }

        return PeerNodeParseResult.Success(new PeerNode(name, cidrs!, type, vni, mac, publicIp!) { PublicIpv6 = ParsePublicIpv6(node, annotations) });
    }

    /// <summary>The annotation value for a backend type.</summary>
    /// <returns><c>vxlan</c> or <c>host-gw</c>.</returns>
    public static string FormatBackendType(FlannelBackendType type) => type switch
    {
        FlannelBackendType.Vxlan => "vxlan",
        FlannelBackendType.HostGw => "host-gw",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "unknown backend type"),
    };

    private static string FormatBackendData(LocalBackend backend)
    {
        if (backend.Type == FlannelBackendType.HostGw)
        {
            return "null";
        }

        if (backend.VtepMac is null || backend.VtepMac.GetAddressBytes().Length != 6)
        {
            throw new ArgumentException("vxlan backend needs a 6-byte VTEP MAC (the HNS network's DrMacAddress)", nameof(backend));
        }

        if (backend.Vni is < 1 or > MaximumVni)
        {
            throw new ArgumentException($"VNI {backend.Vni} is outside 1..{MaximumVni}", nameof(backend));
        }

        // Written by hand, key order as flannel writes it: flannel reads its old VtepMAC back by splitting this string.
        return string.Create(CultureInfo.InvariantCulture, $"{{\"VNI\":{backend.Vni},\"VtepMAC\":\"{MacAddressText.ToColonForm(backend.VtepMac)}\"}}");
    }

    private static List<IPNetwork>? ParsePodCidrs(V1Node node, string name, out PeerNodeParseResult? error)
    {
        error = null;
        var list = node.Spec?.PodCIDRs is { Count: > 0 } many
            ? many.Select((text, i) => (Text: text, Field: $"spec.podCIDRs[{i}]")).ToList()
            : string.IsNullOrEmpty(node.Spec?.PodCIDR) ? [] : [(node.Spec!.PodCIDR, "spec.podCIDR")];
        if (list.Count == 0)
        {
            error = PeerNodeParseResult.Missing("spec.podCIDRs", $"Node '{name}' has no spec.podCIDRs or spec.podCIDR (not allocated yet)");
            return null;
        }

        var cidrs = new List<IPNetwork>(list.Count);
        foreach (var (text, field) in list)
        {
            // IPNetwork.TryParse masks host bits silently; a CIDR with host bits set is a typo worth reporting.
            var slash = text.IndexOf('/', StringComparison.Ordinal);
            if (slash < 0 || !IPNetwork.TryParse(text, out var network)
                || !IPAddress.TryParse(text.AsSpan(0, slash), out var written) || !network.BaseAddress.Equals(written))
            {
                error = PeerNodeParseResult.Malformed(field, $"Node '{name}': {field} '{text}' is not a CIDR with zero host bits");
                return null;
            }

            cidrs.Add(network);
        }

        return cidrs;
    }

    private PeerNodeParseResult? ParseVxlanData(string name, string text, out int vni, out PhysicalAddress? mac)
    {
        vni = 0;
        mac = null;
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(text);
        }
        catch (JsonException e)
        {
            return PeerNodeParseResult.Malformed(BackendData, $"Node '{name}': annotation {BackendData} is not valid JSON ({e.Message})");
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return PeerNodeParseResult.Malformed(BackendData, $"Node '{name}': annotation {BackendData} must be a JSON object with VNI and VtepMAC, got {document.RootElement.ValueKind}");
            }

            JsonElement? vniElement = null, macElement = null;
            foreach (var property in document.RootElement.EnumerateObject())
            {
                // flannel is Go: its JSON decoding matches field names case-insensitively.
                if (property.Name.Equals("VNI", StringComparison.OrdinalIgnoreCase))
                {
                    vniElement = property.Value;
                }
                else if (property.Name.Equals("VtepMAC", StringComparison.OrdinalIgnoreCase))
                {
                    macElement = property.Value;
                }
            }

            if (vniElement is not { ValueKind: JsonValueKind.Number } v || !v.TryGetInt32(out vni) || vni is < 1 or > MaximumVni)
            {
                return PeerNodeParseResult.Malformed(BackendData + ".VNI", $"Node '{name}': annotation {BackendData} has VNI {Describe(vniElement)}, expected an integer 1..{MaximumVni}");
            }

            if (macElement is not { ValueKind: JsonValueKind.String } m || !MacAddressText.TryParse(m.GetString(), out var parsed))
            {
                return PeerNodeParseResult.Malformed(BackendData + ".VtepMAC", $"Node '{name}': annotation {BackendData} has VtepMAC {Describe(macElement)}, expected aa:bb:cc:dd:ee:ff or AA-BB-CC-DD-EE-FF");
            }

            mac = parsed;
            return null;
        }
    }

    private static string Describe(JsonElement? element) => element is { } e ? e.GetRawText() : "missing";

    private IPAddress? ParsePublicIp(V1Node node, string name, IDictionary<string, string> annotations, out PeerNodeParseResult? error)
    {
        error = null;
        foreach (var key in (ReadOnlySpan<string>)[PublicIpOverwrite, PublicIp])
        {
            if (annotations.TryGetValue(key, out var text) && !string.IsNullOrEmpty(text))
            {
                if (IPAddress.TryParse(text, out var address) && address.AddressFamily == AddressFamily.InterNetwork)
                {
                    return address;
                }

                error = PeerNodeParseResult.Malformed(key, $"Node '{name}': annotation {key} '{text}' is not an IPv4 address");
                return null;
            }
        }

        if (FindInternalIp(node) is { } internalIp)
        {
            return internalIp;
        }

        error = PeerNodeParseResult.Missing(PublicIp, $"Node '{name}' has no annotation {PublicIp} and no IPv4 InternalIP in status.addresses");
        return null;
    }

    /// <summary>
    /// A peer's IPv6 underlay address: public-ipv6-overwrite, else public-ipv6 (what flannel publishes on a dual-stack
    /// node), else its IPv6 InternalIP; null when none (its IPv6 pod CIDR then gets no route). A malformed annotation
    /// counts as absent: the IPv4 routes of the peer must not depend on it.
    /// </summary>
    private IPAddress? ParsePublicIpv6(V1Node node, IDictionary<string, string> annotations)
    {
        foreach (var key in (ReadOnlySpan<string>)[PublicIpv6Overwrite, PublicIpv6])
        {
            if (annotations.TryGetValue(key, out var text) && IPAddress.TryParse(text, out var address) && address.AddressFamily == AddressFamily.InterNetworkV6)
            {
                return address;
            }
        }

        return node.Status?.Addresses?
            .Where(a => a.Type == "InternalIP")
            .Select(a => IPAddress.TryParse(a.Address, out var ip) ? ip : null)
            .FirstOrDefault(ip => ip?.AddressFamily == AddressFamily.InterNetworkV6);
    }

    private static IPAddress? FindInternalIp(V1Node node) =>
        node.Status?.Addresses?
            .Where(a => a.Type == "InternalIP")
            .Select(a => IPAddress.TryParse(a.Address, out var ip) ? ip : null)
            .FirstOrDefault(ip => ip?.AddressFamily == AddressFamily.InterNetwork);

    private static bool IsValidPrefix(string? prefix)
    {
        if (string.IsNullOrEmpty(prefix) || prefix.Length > 253)
        {
            return false;
        }

        foreach (var label in prefix.Split('.'))
        {
            if (label.Length is 0 or > 63 || label[0] == '-' || label[^1] == '-'
                || !label.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-'))
            {
                return false;
            }
        }

        return true;
    }
}
