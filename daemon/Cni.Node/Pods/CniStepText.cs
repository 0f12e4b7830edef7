namespace Cni.Node.Pods;

/// <summary>The words for a <see cref="CniStep"/> in an error message.</summary>
public static class CniStepText
{
    /// <summary>"while creating the endpoint" and the like (constant strings: nothing is built per request).</summary>
    /// <returns>The phrase.</returns>
    public static string Describe(this CniStep step) => step switch
    {
        CniStep.WaitingForAttachmentLock => "while waiting for another command on the same container and interface",
        CniStep.ReadingLease => "while reading the IP lease",
        CniStep.LookingUpEndpoint => "while looking up the endpoint",
        CniStep.ResolvingNamespace => "while resolving the namespace",
        CniStep.RemovingStaleEndpoint => "while removing a stale endpoint",
        CniStep.ReservingAddress => "while leasing the address",
        CniStep.CreatingEndpoint => "while creating the endpoint",
        CniStep.AttachingToNamespace => "while attaching to the namespace",
        CniStep.WritingLease => "while writing the lease",
        CniStep.DeletingEndpoint => "while deleting the endpoint",
        CniStep.ReleasingLease => "while releasing the lease",
        CniStep.ReleasingNamespace => "while releasing the namespace",
        CniStep.QueryingNetwork => "while querying the HCN network",
        CniStep.ListingEndpoints => "while listing the network's endpoints",
        CniStep.VerifyingInterface => "while looking at the pod's interface",
        CniStep.RepairingInterface => "while repairing the pod's interface",
        _ => "while running",
    };
}
