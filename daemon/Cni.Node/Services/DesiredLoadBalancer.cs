using System.Net;
using AddressFamily = System.Net.Sockets.AddressFamily;
using Cni.Hcn.Model;
using Cni.Hcn.Model.Policies;

namespace Cni.Node.Services;

/// <summary>One load balancer this node wants: one frontend of one ServicePort in one IP family.</summary>
/// <param name="Key">Its stable identity (and, through it, its HCN ID).</param>
/// <param name="Port">The ServicePort it serves.</param>
/// <param name="Family">The IP family.</param>
/// <param name="Kind">The frontend kind.</param>
/// <param name="Vip">The frontend VIP; null for NodePort (every host address).</param>
/// <param name="Protocol">TCP or UDP.</param>
/// <param name="ExternalPort">The frontend port (the Service port, or the node port).</param>
/// <param name="InternalPort">The backend port (the resolved targetPort); 0 when there are no endpoints to resolve it from.</param>
/// <param name="Distribution">SourceIP for ClientIP affinity, else per connection.</param>
/// <param name="Flags">DSR and IPv6.</param>
/// <param name="PortMappingFlags">LocalRoutedVIP, VipExternalIP, UseMux, PreserveDIP.</param>
/// <param name="SourceVip">The SNAT source, or null when none could be chosen (a condition says why).</param>
/// <param name="Backends">Ordered by address; empty unless <paramref name="Verdict"/> is Forward.</param>
/// <param name="Verdict">Forward, or what to do without backends.</param>
/// <param name="VerdictReason">Why there are no backends; null when forwarding.</param>
public sealed record DesiredLoadBalancer(
    LoadBalancerKey Key,
    ServicePortName Port,
    AddressFamily Family,
    FrontendKind Kind,
    IPAddress? Vip,
    ProtocolType Protocol,
    ushort ExternalPort,
    ushort InternalPort,
    LoadBalancerDistribution Distribution,
    LoadBalancerFlags Flags,
    LoadBalancerPortMappingFlags PortMappingFlags,
    IPAddress? SourceVip,
    IReadOnlyList<LoadBalancerBackend> Backends,
    LoadBalancerVerdict Verdict,
    string? VerdictReason)
{
    /// <summary>The HCN ID of <see cref="Key"/>, hashed once (the engine looks it up several times per pass).</summary>
    public Guid Id { get; } = Key.Id;
}
