namespace Cni.Node.Networks;

/// <summary>One HCN endpoint on the node network, as <c>wincnid status</c> shows it.</summary>
/// <param name="Id">The endpoint ID.</param>
/// <param name="Name">Its name.</param>
/// <param name="IpAddresses">Its addresses with prefix.</param>
/// <param name="MacAddress">Its MAC.</param>
/// <param name="NamespaceId">The namespace it is attached to, or null.</param>
/// <param name="Owned">Whether wincni created it.</param>
/// <param name="HasLease">Whether an IPAM lease backs it (always false for foreign endpoints).</param>
public sealed record EndpointStatus(Guid Id, string? Name, IReadOnlyList<string> IpAddresses, string? MacAddress, Guid? NamespaceId, bool Owned, bool HasLease)
{
    /// <summary>
    /// Where the dataplane can show attachments (KernelHcn), for an attached endpoint: the pod's interface as it was
    /// found ("eth0: ok", or what differs from the endpoint); null where nothing was looked at.
    /// </summary>
    public string? Interface { get; init; }
}
