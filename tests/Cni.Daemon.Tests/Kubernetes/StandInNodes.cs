using Cni.StandInApiServer.Storage;
using k8s.Models;

namespace Cni.Daemon.Tests.Kubernetes;

/// <summary>Nodes in the stand-in API server as kubelet and the controller manager leave them: pod CIDR and InternalIP.</summary>
internal static class StandInNodes
{
    public static void Create(ObjectStore store, string name, string? podCidr, string internalIp, Dictionary<string, string>? annotations = null)
    {
        store.Create(new V1Node
        {
            ApiVersion = "v1",
            Kind = "Node",
            Metadata = new V1ObjectMeta { Name = name, Annotations = annotations },
            Spec = podCidr is null ? new V1NodeSpec() : new V1NodeSpec { PodCIDR = podCidr, PodCIDRs = [podCidr] },
        });
        var node = store.Get<V1Node>(name)!;
        node.Status = new V1NodeStatus { Addresses = [new V1NodeAddress { Type = "InternalIP", Address = internalIp }] };
        store.Update(node, status: true);
    }
}
