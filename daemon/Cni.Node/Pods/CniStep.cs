namespace Cni.Node.Pods;

/// <summary>
/// What a CNI command is doing right now. Commands keep it in a local (no allocation on the ADD path) and name it when
/// a deadline cuts them short, so the caller learns where the time went.
/// </summary>
public enum CniStep
{
    /// <summary>Waiting for another command on the same attachment (container ID, ifName).</summary>
    WaitingForAttachmentLock,

    /// <summary>Reading the attachment's IP lease.</summary>
    ReadingLease,

    /// <summary>Looking up the attachment's endpoint by name.</summary>
    LookingUpEndpoint,

    /// <summary>Resolving (or creating) the pod's HCN namespace.</summary>
    ResolvingNamespace,

    /// <summary>Deleting a stale endpoint that carries the attachment's name.</summary>
    RemovingStaleEndpoint,

    /// <summary>Leasing the pod's address.</summary>
    ReservingAddress,

    /// <summary>Creating the HCN endpoint.</summary>
    CreatingEndpoint,

    /// <summary>Attaching the endpoint to the pod's namespace.</summary>
    AttachingToNamespace,

    /// <summary>Waiting for the lease to be durable in the IPAM journal.</summary>
    WritingLease,

    /// <summary>Deleting an endpoint.</summary>
    DeletingEndpoint,

    /// <summary>Releasing IP leases.</summary>
    ReleasingLease,

    /// <summary>Releasing a namespace wincni created.</summary>
    ReleasingNamespace,

    /// <summary>Querying the node network in HNS.</summary>
    QueryingNetwork,

    /// <summary>Listing the node network's endpoints.</summary>
    ListingEndpoints,

    /// <summary>Looking at what the dataplane has for the attachment (the interface in the pod's namespace).</summary>
    VerifyingInterface,

    /// <summary>Repairing the attachment's interface in the dataplane.</summary>
    RepairingInterface,
}
