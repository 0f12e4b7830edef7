using Cni.Spec;

namespace Cni.Node.Pods;

/// <summary>
/// Runs one validated CNI request (see <see cref="DaemonRequestReader"/>). Never throws for bad input or HCN/IPAM
/// failures: every failure is a <see cref="CniError"/> with the spec's code, a message naming the field/cause, and
/// details (raw HRESULT etc.). Cancellation of the token is the exception: after whatever was half-done has been
/// rolled back, it surfaces as <see cref="CniCommandCancelledException"/> naming the step that was running, for the
/// caller (who set the deadline) to report.
/// </summary>
public interface ICniCommandHandler
{
    /// <summary>Runs <paramref name="request"/>.</summary>
    /// <param name="request">The validated request.</param>
    /// <exception cref="CniCommandCancelledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    Task<CniOutcome> HandleAsync(PluginRequest request, CancellationToken cancellationToken);
}
