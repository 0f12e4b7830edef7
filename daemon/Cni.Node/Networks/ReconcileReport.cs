namespace Cni.Node.Networks;

/// <summary>What reconciling the IPAM journal against the network's HCN endpoints did.</summary>
/// <param name="LeasesReleased">Leases (container/ifName: addresses) that had no endpoint and were freed.</param>
/// <param name="EndpointsDeleted">wincni endpoints (name) that had no lease and were deleted.</param>
/// <param name="AttachmentsKept">Attachments whose lease and endpoint agree.</param>
/// <param name="ForeignEndpoints">Endpoints on the network that wincni does not own (left alone).</param>
/// <param name="Errors">Failures; reconciliation goes on past each one.</param>
/// <remarks>Where the dataplane can show attachments (KernelHcn), every kept attachment is also looked at in the dataplane.</remarks>
public sealed record ReconcileReport(
    IReadOnlyList<string> LeasesReleased,
    IReadOnlyList<string> EndpointsDeleted,
    int AttachmentsKept,
    int ForeignEndpoints,
    IReadOnlyList<string> Errors)
{
    /// <summary>Attachments the dataplane had not as recorded and that were repaired (endpoint name: what was wrong).</summary>
    public IReadOnlyList<string> AttachmentsRepaired { get; init; } = [];

    /// <summary>Attachments the dataplane has not as recorded and that could not be repaired (endpoint name: what is wrong).</summary>
    public IReadOnlyList<string> AttachmentsBroken { get; init; } = [];

    /// <summary>Nothing was looked at.</summary>
    public static ReconcileReport Empty { get; } = new([], [], 0, 0, []);
}
