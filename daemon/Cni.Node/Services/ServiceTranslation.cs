namespace Cni.Node.Services;

/// <summary>Everything one Service asks of this node.</summary>
/// <param name="Service">namespace/name.</param>
/// <param name="Skipped">Set when the Service gets nothing at all.</param>
/// <param name="LoadBalancers">The desired load balancers, in ServicePort, family and frontend order.</param>
/// <param name="Conditions">What could not be honoured exactly.</param>
/// <param name="HealthCheck">The health-check node port to serve, or null.</param>
public sealed record ServiceTranslation(
    string Service,
    ServiceSkipReason? Skipped,
    IReadOnlyList<DesiredLoadBalancer> LoadBalancers,
    IReadOnlyList<ServiceCondition> Conditions,
    ServiceHealthCheck? HealthCheck)
{
    /// <summary>A Service that gets nothing.</summary>
    public static ServiceTranslation Skip(string service, ServiceSkipReason reason) => new(service, reason, [], [], null);
}
