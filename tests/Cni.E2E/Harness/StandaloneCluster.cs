using Cni.LocalCluster;

namespace Cni.E2E.Harness;

/// <summary>The local cluster without Kubernetes: L2Bridge nodes running wincnid standalone (pod CIDR and node IP from their config).</summary>
internal static class StandaloneCluster
{
    public static Task<Cni.LocalCluster.LocalCluster> StartAsync(CancellationToken cancellationToken) =>
        Cni.LocalCluster.LocalCluster.StartAsync(new LocalClusterOptions { Mode = "l2bridge", Kubernetes = false }, cancellationToken);
}
