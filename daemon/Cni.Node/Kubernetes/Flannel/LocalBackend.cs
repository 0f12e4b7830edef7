using System.Net.NetworkInformation;
using Cni.Node.Configuration;

namespace Cni.Node.Kubernetes.Flannel;

/// <summary>What this node publishes about its own backend.</summary>
/// <param name="Type">vxlan for an overlay network, host-gw for L2Bridge.</param>
/// <param name="Vni">vxlan: the VNI. Ignored for host-gw.</param>
/// <param name="VtepMac">vxlan: the HNS network's DrMacAddress; required. Ignored for host-gw.</param>
public sealed record LocalBackend(FlannelBackendType Type, int Vni, PhysicalAddress? VtepMac)
{
    /// <summary>The backend type that matches a network mode (overlay → vxlan, l2bridge → host-gw).</summary>
    /// <param name="mode">The node's network mode.</param>
    public static FlannelBackendType TypeOf(NetworkMode mode) => mode switch
    {
        NetworkMode.Overlay => FlannelBackendType.Vxlan,
        NetworkMode.L2Bridge => FlannelBackendType.HostGw,
        _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, "no flannel backend for this network mode"),
    };
}
