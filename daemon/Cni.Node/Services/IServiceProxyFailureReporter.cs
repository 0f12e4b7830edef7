namespace Cni.Node.Services;

/// <summary>Told about service proxy failures a person must act on (Kubernetes Events on the Service and the Node).</summary>
public interface IServiceProxyFailureReporter
{
    /// <summary>
    /// Called after a pass for each failure whose <see cref="ObjectFailure.NeedsAction"/> is true (an HCN refusal that
    /// came back after its backoff); again after later passes while it lasts. Must not block or throw.
    /// </summary>
    void Report(ObjectFailure failure);
}
