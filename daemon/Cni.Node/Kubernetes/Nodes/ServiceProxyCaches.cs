using Cni.Node.Kubernetes.Cache;
using k8s.Models;

namespace Cni.Node.Kubernetes.Nodes;

/// <summary>The caches the service proxy reads, run by <see cref="ClusterConnection"/>.</summary>
/// <param name="Services">Every Service.</param>
/// <param name="EndpointSlices">Every EndpointSlice.</param>
public sealed record ServiceProxyCaches(ResourceCache<V1Service> Services, ResourceCache<V1EndpointSlice> EndpointSlices);
