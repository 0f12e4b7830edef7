namespace Cni.Hcn.Model;

/// <summary>
/// HostComputeNetwork <c>Flags</c>, a number on the wire (hcsshim hcn/hcnnetwork.go). MS-docs also name EnablePersistent,
/// IsolateVSwitch, EnableFlowSteering, DisableSharing and EnableFirewall, but no source gives their values, so
/// they are deliberately absent; unknown bits read from HNS are kept.
/// </summary>
[Flags]
public enum NetworkFlags : uint
{
    /// <summary>No flags.</summary>
    None = 0,

    /// <summary>EnableDnsProxy (SDN-psm1 "EnableDns").</summary>
    EnableDnsProxy = 1,

    /// <summary>EnableDhcpServer (SDN-psm1 "EnableDhcp").</summary>
    EnableDhcpServer = 2,

    /// <summary>EnableMirroring.</summary>
    EnableMirroring = 4,

    /// <summary>The network does not survive an HNS restart/reboot (flannel sets it).</summary>
    EnableNonPersistent = 8,

    /// <summary>DisableHostPort; needs HNS 15.1.</summary>
    DisableHostPort = 1024,

    /// <summary>EnableIov.</summary>
    EnableIov = 8192,
}
