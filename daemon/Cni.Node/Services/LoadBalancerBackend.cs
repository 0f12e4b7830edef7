using System.Net;

namespace Cni.Node.Services;

/// <summary>One backend of a desired load balancer. Local ones are pod endpoints the CNI made; remote ones need a remote HCN endpoint.</summary>
/// <param name="Address">The endpoint's address.</param>
/// <param name="NodeName">The node that owns it (the remote endpoint's provider address on overlay), or null when the slice does not say.</param>
/// <param name="IsLocal">Whether it runs on this node.</param>
public sealed record LoadBalancerBackend(IPAddress Address, string? NodeName, bool IsLocal);
