namespace Cni.Node.Networks;

/// <summary>What reconciling the IPAM journal against the network's HCN endpoints did.</summary>
/// <param name="LeasesReleased">Leases (container/ifName: addresses) that had no endpoint and were freed.</param>
/// <param name="EndpointsDeleted">wincni endpoints (name) that had no lease and were deleted.</param>
/// <param name="AttachmentsKept">Attachments whose lease and endpoint agree.</param>
/// <param name="ForeignEndpoints">Endpoints on the network that wincni does not own (left alone).</param>
/// <param name="Errors">Failures; reconciliation goes on past each one.</param>
public sealed record ReconcileReport(
    IReadOnlyList<string> LeasesReleased,
    IReadOnlyList<string> EndpointsDeleted,
    int AttachmentsKept,
    int ForeignEndpoints,
    IReadOnlyList<string> Errors)
{
    /// <summary>Nothing was looked at.</summary>
    public static ReconcileReport Empty { get; } = new([], [], 0, 0, []);
}
