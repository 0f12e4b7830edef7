namespace Cni.Hcn.Model;

/// <summary>HostComputeEndpoint <c>Flags</c>, a number on the wire (hcsshim hcn/hcnendpoint.go; values 2–32 from SDN-psm1).</summary>
[Flags]
public enum EndpointFlags : uint
{
    /// <summary>No flags.</summary>
    None = 0,

    /// <summary>A remote (other node's) endpoint on an Overlay network, as kube-proxy creates them.</summary>
    RemoteEndpoint = 1,

    /// <summary>DisableICC: no communication with other compute endpoints.</summary>
    DisableInterComputeCommunication = 2,

    /// <summary>EnableMirroring.</summary>
    EnableMirroring = 4,

    /// <summary>EnableLowInterfaceMetric.</summary>
    EnableLowInterfaceMetric = 8,

    /// <summary>OverrideDNSServerOrder.</summary>
    OverrideDnsServerOrder = 16,

    /// <summary>EnableDhcp.</summary>
    EnableDhcp = 32,
}
