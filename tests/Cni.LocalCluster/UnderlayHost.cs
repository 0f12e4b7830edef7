namespace Cni.LocalCluster;

/// <summary>A machine on the underlay that is not a node (<see cref="LocalCluster.AddUnderlayHostAsync"/>).</summary>
/// <param name="Netns">Its network namespace.</param>
/// <param name="Address">Its underlay address (192.168.200.0/24).</param>
public sealed record UnderlayHost(string Netns, string Address);
