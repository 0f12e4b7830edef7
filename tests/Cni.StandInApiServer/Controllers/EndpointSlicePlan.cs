using k8s.Models;

namespace Cni.StandInApiServer.Controllers;

/// <summary>The writes that bring one Service's EndpointSlices to the desired state; slices not named here stay as
/// they are.</summary>
/// <param name="Create">New slices (metadata.generateName set, no name).</param>
/// <param name="Update">Changed slices, replacing the stored ones of the same name.</param>
/// <param name="Delete">Slices to remove.</param>
internal sealed record EndpointSlicePlan(
    IReadOnlyList<V1EndpointSlice> Create, IReadOnlyList<V1EndpointSlice> Update, IReadOnlyList<V1EndpointSlice> Delete)
{
    /// <summary>Nothing to write.</summary>
    public bool IsEmpty => Create.Count == 0 && Update.Count == 0 && Delete.Count == 0;

    /// <summary>Removes every slice in <paramref name="existing"/> (the Service is gone or has no selector).</summary>
    public static EndpointSlicePlan DeleteAll(IReadOnlyList<V1EndpointSlice> existing) => new([], [], existing);
}
