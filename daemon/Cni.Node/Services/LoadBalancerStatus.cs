namespace Cni.Node.Services;

/// <summary>One desired load balancer beside what HCN has after the pass.</summary>
/// <param name="Key">Its key.</param>
/// <param name="Verdict">Forward, Reject or Drop.</param>
/// <param name="DesiredBackends">Backends the translation asked for.</param>
/// <param name="ProgrammedBackends">Backends programmed (desired ones without a resolvable endpoint left out); null when HCN has no load balancer for it.</param>
/// <param name="Outcome">What the pass did.</param>
/// <param name="Reason">Why it is not (fully) programmed, or the failure; null when it is as desired.</param>
public sealed record LoadBalancerStatus(
    LoadBalancerKey Key,
    LoadBalancerVerdict Verdict,
    int DesiredBackends,
    int? ProgrammedBackends,
    LoadBalancerOutcome Outcome,
    string? Reason);
