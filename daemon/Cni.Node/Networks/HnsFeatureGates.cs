using System.Net.Sockets;
using Cni.Hcn.Versioning;
using Cni.Node.Configuration;

namespace Cni.Node.Networks;

/// <summary>
/// What the node config asks of HNS, checked against its version's features (hcsshim hcn/hcnglobals.go) as flannel
/// and kube-proxy's winkernel check them before using a feature: flannel's vxlan backend refuses to start without
/// RemoteSubnet (pkg/backend/vxlan/vxlan_windows.go), winkernel without RemoteSubnet on overlay and falls back to single
/// stack without IPv6DualStack (pkg/proxy/winkernel/proxier.go). A missing feature is a readiness error naming the
/// config key and the HNS versions that have it, instead of an HNS refusal in the middle of a create.
/// </summary>
public static class HnsFeatureGates
{
    /// <summary>Why this HNS cannot serve the config, or null when it can.</summary>
    /// <param name="options">The node config.</param>
    /// <param name="node">The node's pod CIDRs.</param>
    /// <param name="features">This HNS's features.</param>
    /// <returns>The reason, naming each key and the HNS versions it needs; null when everything is there.</returns>
    public static string? Check(NodeOptions options, NodeAddressing node, HcnFeatures features)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(features);
        var problems = new List<string>();
        if (options.Mode == NetworkMode.Overlay && !features.RemoteSubnet)
        {
            problems.Add($"mode: overlay routes to peers with RemoteSubnetRoute policies, which need HNS {HcnFeatures.RequiredVersion(HcnFeature.RemoteSubnet)} (Windows Server 2019 or later)");
        }

        if (options.Mode == NetworkMode.Overlay && options.Vxlan.Port != PodNetworkSpec.DefaultVxlanPort && !features.VxlanPort)
        {
            problems.Add($"vxlan.port: {options.Vxlan.Port} needs the VxlanPort policy, HNS {HcnFeatures.RequiredVersion(HcnFeature.VxlanPort)}; use {PodNetworkSpec.DefaultVxlanPort}");
        }

        if (node.PodCidrs.Any(c => c.BaseAddress.AddressFamily == AddressFamily.InterNetworkV6) && !features.IPv6DualStack)
        {
            problems.Add($"podCIDRs: an IPv6 pod CIDR needs IPv6 dual stack, HNS {HcnFeatures.RequiredVersion(HcnFeature.IPv6DualStack)}");
        }

        return problems.Count == 0
            ? null
            : $"this HNS is {features.VersionText} and lacks what the node config needs: {string.Join("; ", problems)}";
    }
}
