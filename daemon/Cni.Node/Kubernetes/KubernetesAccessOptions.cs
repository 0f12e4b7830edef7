namespace Cni.Node.Kubernetes;

/// <summary>How wincnid reaches the API server (see <see cref="KubernetesClientFactory"/> for the search order).</summary>
/// <param name="KubeconfigPath">An explicit kubeconfig file; when set, nothing else is tried.</param>
/// <param name="ApiServer">
/// Overrides the API server URL in every case. HostProcess pods often cannot reach the kubernetes service VIP, so the
/// in-cluster host is replaced by this (e.g. <c>https://10.0.0.1:6443</c>).
/// </param>
/// <param name="Context">The kubeconfig context to use instead of its current-context.</param>
public sealed record KubernetesAccessOptions(string? KubeconfigPath = null, string? ApiServer = null, string? Context = null)
{
    /// <summary>Bound on one ordinary request (list, get, patch). Watches are not cut by it.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Allows credentials (a bearer token, basic auth) to be sent to an <c>http://</c> API server, in clear text
    /// (<c>--allow-insecure-api-server</c>); without it such a configuration is refused.
    /// </summary>
    public bool AllowInsecureApiServer { get; init; }
}
