namespace Cni.Daemon.Status;

/// <summary>The service proxy for <c>wincnid status</c>: each Service's load balancers as the last pass wanted them, beside what HCN holds now.</summary>
/// <param name="Synced">Whether the Service, EndpointSlice and Node caches have finished their first list.</param>
/// <param name="Passes">Passes finished since start.</param>
/// <param name="Dsr">Whether direct server return is on.</param>
/// <param name="HealthCheckPorts">"port: namespace/name (N local endpoints)" per health-check node port served.</param>
/// <param name="Services">Per Service, from the last pass; null before the first.</param>
/// <param name="Failures">"key: message (retry at …)" per object the last pass could not bring in line.</param>
/// <param name="Orphans">Load balancers wincnid owns in HCN that the last pass did not want (deleted at the next pass).</param>
/// <param name="Error">Why HCN could not be read, or null.</param>
public sealed record ServicesStatus(
    bool Synced,
    long Passes,
    bool Dsr,
    IReadOnlyList<string> HealthCheckPorts,
    IReadOnlyList<ServiceEntryStatus>? Services,
    IReadOnlyList<string> Failures,
    IReadOnlyList<string> Orphans,
    string? Error);

/// <summary>One Service.</summary>
/// <param name="Service">namespace/name.</param>
/// <param name="Skipped">Why it has no load balancer at all, or null.</param>
/// <param name="Conditions">What the translation could not honour exactly.</param>
/// <param name="LoadBalancers">Its load balancers.</param>
public sealed record ServiceEntryStatus(string Service, string? Skipped, IReadOnlyList<string> Conditions, IReadOnlyList<LoadBalancerEntryStatus> LoadBalancers);

/// <summary>One load balancer, desired beside actual.</summary>
/// <param name="Key">Its key (Service port, family, frontend).</param>
/// <param name="Id">Its HCN ID.</param>
/// <param name="Verdict">forward, reject or drop.</param>
/// <param name="DesiredBackends">Backends the translation asked for.</param>
/// <param name="Outcome">What the last pass did.</param>
/// <param name="Reason">Why it is not (fully) programmed, or null.</param>
/// <param name="InHcn">Whether HCN holds it now (read for this answer).</param>
/// <param name="HcnBackends">Backends of HCN's copy now, or null when absent.</param>
public sealed record LoadBalancerEntryStatus(
    string Key,
    string Id,
    string Verdict,
    int DesiredBackends,
    string Outcome,
    string? Reason,
    bool InHcn,
    int? HcnBackends);
