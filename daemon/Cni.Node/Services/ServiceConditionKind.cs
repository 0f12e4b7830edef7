namespace Cni.Node.Services;

/// <summary>What about a Service the translation could not honour exactly (for status, log and metrics).</summary>
public enum ServiceConditionKind
{
    /// <summary>A named targetPort resolves to different numbers; one was chosen (see <see cref="PortConflict"/>).</summary>
    PortConflict,

    /// <summary>A ServicePort has no ready or serving-terminating endpoint: its frontends reject.</summary>
    NoEndpoints,

    /// <summary>externalTrafficPolicy: Local without DSR: traffic stays local but the client address is SNATed away.</summary>
    ClientAddressNotPreserved,

    /// <summary>An IP family of the Service that this node does not serve (overlay is IPv4 only, or no node IP of it).</summary>
    FamilyNotServed,

    /// <summary>A port protocol HCN load balancers do not carry here (SCTP).</summary>
    UnsupportedProtocol,

    /// <summary>Two frontends of the Service share VIP, protocol and port; the first one listed keeps it.</summary>
    DuplicateFrontend,

    /// <summary>Overlay without a source VIP: the load balancers cannot SNAT into the VXLAN network.</summary>
    NoSourceVip,

    /// <summary><c>loadBalancerSourceRanges</c> is set but not enforced (no firewall programming yet, as in winkernel).</summary>
    SourceRangesIgnored,

    /// <summary><c>sessionAffinity: ClientIP</c> on an HNS without load-balancer affinity (before 12.0): not applied.</summary>
    SessionAffinityUnsupported,
}
