using Cni.Spec.Wire;

namespace Cni.Node.Pods;

/// <summary>
/// Handles one forwarded CNI request. Never throws for bad input or HCN/IPAM failures: every failure is a
/// <see cref="Spec.CniError"/> with the spec's code, a message naming the field/cause, and details (raw HRESULT etc.).
/// Cancellation, too, is an outcome (code 11), after whatever was half-done has been rolled back.
/// </summary>
public interface ICniCommandHandler
{
    /// <summary>Validates and runs <paramref name="request"/>.</summary>
    /// <param name="request">The request as the plugin forwarded it.</param>
    Task<CniOutcome> HandleAsync(DaemonRequest request, CancellationToken cancellationToken);
}
