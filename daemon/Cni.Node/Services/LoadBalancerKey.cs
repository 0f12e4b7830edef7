using System.Net;
using System.Net.Sockets;

namespace Cni.Node.Services;

/// <summary>
/// The stable identity of a desired load balancer: <c>ns/name:port/PROTO/family/kind[/vip]</c>. It names the
/// frontend, not its content (backends, flags), so a changed Service modifies its load balancer in place.
/// </summary>
/// <param name="Value">The key text.</param>
public readonly record struct LoadBalancerKey(string Value)
{
    /// <summary>The HCN ID the load balancer is created under.</summary>
    public Guid Id => LoadBalancerIds.IdOf(this);

    /// <summary>The key of one frontend of one ServicePort.</summary>
    /// <param name="port">The ServicePort.</param>
    /// <param name="family">The IP family.</param>
    /// <param name="kind">The frontend kind.</param>
    /// <param name="vip">The VIP, for external IPs and ingress IPs (several per ServicePort); null otherwise.</param>
    public static LoadBalancerKey For(ServicePortName port, AddressFamily family, FrontendKind kind, IPAddress? vip)
    {
        var text = $"{port}/{(family == AddressFamily.InterNetworkV6 ? "IPv6" : "IPv4")}/{KindText(kind)}";
        return new(vip is null ? text : text + "/" + vip);
    }

    /// <inheritdoc/>
    public override string ToString() => Value;

    private static string KindText(FrontendKind kind) => kind switch
    {
        FrontendKind.ClusterIp => "ClusterIP",
        FrontendKind.NodePort => "NodePort",
        FrontendKind.ExternalIp => "ExternalIP",
        FrontendKind.LoadBalancerIngress => "LoadBalancer",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown frontend kind"),
    };
}
