namespace Cni.Node.Services;

/// <summary>One Service after a pass: its load balancers, or why it has none.</summary>
/// <param name="Service">namespace/name.</param>
/// <param name="Skipped">Why the Service gets nothing at all, or null.</param>
/// <param name="LoadBalancers">Each desired load balancer and its state.</param>
/// <param name="Conditions">What the translation could not honour exactly.</param>
public sealed record ServiceProxyStatus(
    string Service,
    ServiceSkipReason? Skipped,
    IReadOnlyList<LoadBalancerStatus> LoadBalancers,
    IReadOnlyList<ServiceCondition> Conditions);
