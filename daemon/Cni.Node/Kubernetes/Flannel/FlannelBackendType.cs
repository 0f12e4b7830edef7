namespace Cni.Node.Kubernetes.Flannel;

/// <summary>The flannel backends a Windows node can publish or peer with (<c>backend-type</c> annotation).</summary>
public enum FlannelBackendType
{
    /// <summary><c>vxlan</c>: an HNS Overlay network; peers are reached through their VTEP MAC and public IP.</summary>
    Vxlan,

    /// <summary><c>host-gw</c>: an HNS L2Bridge network; peers' pod CIDRs are routed via their node IP.</summary>
    HostGw,
}
