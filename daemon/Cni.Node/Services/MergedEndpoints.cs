namespace Cni.Node.Services;

/// <summary>The endpoints of one ServicePort and IP family, merged across slices, before selection.</summary>
/// <param name="Endpoints">Deduplicated by address, ordered by address; all use <paramref name="Port"/>.</param>
/// <param name="Port">The backend port number, or 0 when there are no endpoints.</param>
/// <param name="Conflict">Set when endpoints disagreed on the port number.</param>
public sealed record MergedEndpoints(IReadOnlyList<ServiceEndpoint> Endpoints, int Port, PortConflict? Conflict)
{
    /// <summary>No endpoints.</summary>
    public static MergedEndpoints Empty { get; } = new([], 0, null);
}
