using Cni.Hcn.Errors;

namespace Cni.Hcn.Attachments;

/// <summary>
/// What a dataplane has really made of an endpoint attached to a namespace, beside the objects <see cref="IHcn"/>
/// reports: an object can say "attached" while the namespace holds no interface (a daemon killed between its kernel
/// work and its records, a device deleted out of band). Realized by <c>KernelHcn</c>, which looks inside the pod's
/// network namespace; HNS offers no such view (the container's vNIC is made by HCS when the container starts, under a
/// name Windows chooses), so WindowsHcn and MemoryHcn have none, and callers then trust the objects.
/// </summary>
/// <remarks>
/// A realization with this interface names the interface inside the namespace after the endpoint's <c>PortName</c>
/// policy (CNI_IFNAME on a kernel node), and <see cref="RealizedAttachment.InterfaceName"/> is that name. Both calls
/// follow <see cref="IHcn"/>'s error contract (<see cref="HcnException"/>, not-found for an unknown endpoint).
/// </remarks>
public interface IAttachmentVerifier
{
    /// <summary>
    /// Looks at what exists for the endpoint's attachment now (the interface in its namespace, its addresses and routes,
    /// the node side), changing nothing.
    /// </summary>
    /// <returns>What exists, and how it differs from the endpoint; no problems for an endpoint attached nowhere.</returns>
    /// <exception cref="HcnException">HCN_E_ENDPOINT_NOT_FOUND when the endpoint does not exist.</exception>
    Task<RealizedAttachment> VerifyAsync(Guid endpointId, CancellationToken cancellationToken);

    /// <summary>
    /// Makes the attachment real again where it differs from the endpoint (the interface re-created in the namespace,
    /// its addresses, routes and node side restored), then looks again.
    /// </summary>
    /// <returns>What exists afterwards; <see cref="RealizedAttachment.IsIntact"/> tells whether the repair worked.</returns>
    /// <exception cref="HcnException">HCN_E_ENDPOINT_NOT_FOUND when the endpoint does not exist.</exception>
    Task<RealizedAttachment> RepairAsync(Guid endpointId, CancellationToken cancellationToken);
}
