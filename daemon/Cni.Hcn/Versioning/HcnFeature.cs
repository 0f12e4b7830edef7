namespace Cni.Hcn.Versioning;

/// <summary>An HNS capability gated by the service version (hcsshim hcn/hcnglobals.go, hcn/hcnsupport.go <c>SupportedFeatures</c>).</summary>
public enum HcnFeature
{
    /// <summary>ACL address lists, host rule priority, port ranges and rule IDs (7.2, "1803").</summary>
    Acl,

    /// <summary>The v2 API and schema (9.2).</summary>
    ApiV2,

    /// <summary>RemoteSubnetRoute network policy (9.2).</summary>
    RemoteSubnet,

    /// <summary>HostRoute network policy (9.2).</summary>
    HostRoute,

    /// <summary>Direct server return (9.3–9.x, 10.2+).</summary>
    Dsr,

    /// <summary>/32 endpoint prefixes (9.3–9.x, 10.4+).</summary>
    Slash32EndpointPrefixes,

    /// <summary>ACLs on protocol 252 (11.0).</summary>
    AclSupportForProtocol252,

    /// <summary>Load-balancer client-IP affinity (12.0).</summary>
    SessionAffinity,

    /// <summary>IPv6 dual stack (11.10).</summary>
    IPv6DualStack,

    /// <summary>SetPolicy (13.0).</summary>
    SetPolicy,

    /// <summary>VxlanPort network policy (10.3).</summary>
    VxlanPort,

    /// <summary>L4Proxy network policy (9.5–9.x, 10.5–10.x, 11.11–11.x, 12.1–12.x, 13.1+).</summary>
    L4Proxy,

    /// <summary>L4WFPPROXY endpoint policy (13.2).</summary>
    L4WfpProxy,

    /// <summary>TierAcl endpoint policy (14.0).</summary>
    TierAcl,

    /// <summary>NetworkACL network policy (15.0).</summary>
    NetworkAcl,

    /// <summary>NESTEDIPSET set policies (15.0).</summary>
    NestedIpSet,

    /// <summary>The DisableHostPort network flag (15.1).</summary>
    DisableHostPort,

    /// <summary>HcnModifyLoadBalancer (15.4).</summary>
    ModifyLoadBalancer,

    /// <summary>Accelerated networking (15.4).</summary>
    AcceleratedNetworking,
}
