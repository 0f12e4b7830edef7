namespace Cni.Node.Services;

/// <summary>What one health-check node port answers for.</summary>
/// <param name="Service">namespace/name.</param>
/// <param name="LocalEndpoints">Ready endpoints on this node: 200 above zero, 503 at zero.</param>
public sealed record ServiceHealthCheckEntry(string Service, int LocalEndpoints)
{
    /// <summary>The HTTP status kube-proxy answers (kubernetes pkg/proxy/healthcheck/service_health.go).</summary>
    public int StatusCode => LocalEndpoints > 0 ? 200 : 503;
}
