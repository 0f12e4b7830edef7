namespace Cni.Node.Networks;

/// <summary>
/// Deterministic HCN endpoint names, so DEL, GC and reconciliation find an attachment's endpoint from (network,
/// container ID, ifName) alone, without the lease (containernetworking's ConstructEndpointName idea). The
/// <c>wincni_</c> prefix marks ownership: wincni never touches an endpoint whose name lacks it (kube-proxy's remote
/// endpoints, the host's <c>source_vip</c>, other CNIs' endpoints).
/// </summary>
/// <remarks>
/// Form: <c>wincni_&lt;network&gt;_&lt;containerId&gt;_&lt;ifName&gt;</c>, e.g. <c>wincni_wincni_3f9c…_eth0</c>. Container IDs,
/// network names and interface names may all contain '_', so each part escapes '%' as <c>%25</c> and '_' as <c>%5F</c>;
/// the separators are then unambiguous (network "a" never owns network "a_b"'s endpoints) while the usual hex IDs
/// and <c>eth0</c> stay readable in <c>Get-HnsEndpoint</c>.
/// </remarks>
public static class EndpointNames
{
    /// <summary>The ownership prefix of every endpoint wincni creates.</summary>
    public const string OwnerPrefix = "wincni_";

    /// <summary>The prefix of this network's pod endpoints: <c>wincni_&lt;network&gt;_</c>.</summary>
    public static string PrefixFor(string networkName) => OwnerPrefix + Escape(networkName) + "_";

    /// <summary>The endpoint name of an attachment.</summary>
    /// <param name="containerId">CNI_CONTAINERID.</param>
    /// <param name="ifName">CNI_IFNAME.</param>
    /// <returns>The name.</returns>
    public static string For(string networkName, string containerId, string ifName) =>
        PrefixFor(networkName) + Escape(containerId) + "_" + Escape(ifName);

    /// <summary>
    /// The L2Bridge host endpoint of a network (the pods' gateway, flannel's <c>cbr0_ep</c>): <c>wincni-host_&lt;network&gt;</c>.
    /// Deliberately outside <see cref="PrefixFor"/>, so pod reconciliation and GC never take it for a pod endpoint.
    /// </summary>
    /// <returns>The name.</returns>
    public static string HostEndpointFor(string networkName) => "wincni-host_" + Escape(networkName);

    /// <summary>Whether <paramref name="endpointName"/> is a pod endpoint wincni created on <paramref name="networkName"/>.</summary>
    /// <param name="endpointName">The endpoint's name.</param>
    /// <returns>True when owned.</returns>
    public static bool IsOwned(string? endpointName, string networkName) =>
        endpointName is not null && endpointName.StartsWith(PrefixFor(networkName), StringComparison.Ordinal);

    private static string Escape(string part) =>
        part.Replace("%", "%25", StringComparison.Ordinal).Replace("_", "%5F", StringComparison.Ordinal);
}
