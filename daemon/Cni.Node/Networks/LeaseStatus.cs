namespace Cni.Node.Networks;

/// <summary>One IPAM lease of the node network, as <c>wincnid status</c> shows it.</summary>
/// <param name="ContainerId">CNI_CONTAINERID.</param>
/// <param name="IfName">CNI_IFNAME.</param>
/// <param name="Addresses">The leased addresses with prefix.</param>
/// <param name="Netns">The netns given at ADD, or null.</param>
/// <param name="PodNamespace">K8S_POD_NAMESPACE, or null.</param>
/// <param name="PodName">K8S_POD_NAME, or null.</param>
/// <param name="AllocatedAt">When it was allocated.</param>
/// <param name="EndpointName">The endpoint name the attachment should have.</param>
/// <param name="HasEndpoint">Whether that endpoint exists on the network.</param>
public sealed record LeaseStatus(
    string ContainerId,
    string IfName,
    IReadOnlyList<string> Addresses,
    string? Netns,
    string? PodNamespace,
    string? PodName,
    DateTimeOffset AllocatedAt,
    string EndpointName,
    bool HasEndpoint);
