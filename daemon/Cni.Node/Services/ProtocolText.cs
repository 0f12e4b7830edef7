using Cni.Hcn.Model.Policies;

namespace Cni.Node.Services;

/// <summary>Kubernetes protocol names ↔ HCN protocol numbers, for the protocols an HCN load balancer carries.</summary>
public static class ProtocolText
{
    /// <summary>
    /// The protocol of a Kubernetes <c>protocol</c> field (null means TCP, the API default); null for SCTP and
    /// anything else HCN's <see cref="ProtocolType"/> does not name.
    /// </summary>
    public static ProtocolType? Parse(string? protocol) => protocol switch
    {
        null or "" or "TCP" => ProtocolType.Tcp,
        "UDP" => ProtocolType.Udp,
        _ => null,
    };

    /// <summary>The Kubernetes spelling (TCP, UDP), or the number for anything else.</summary>
    public static string Format(ProtocolType protocol) => protocol switch
    {
        ProtocolType.Tcp => "TCP",
        ProtocolType.Udp => "UDP",
        _ => ((uint)protocol).ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}
