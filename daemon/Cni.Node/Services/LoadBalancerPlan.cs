using System.Net;
using Cni.Hcn.Model;

namespace Cni.Node.Services;

/// <summary>One desired load balancer through one engine pass: what HCN has, what it should have, and what happened.</summary>
internal sealed class LoadBalancerPlan(DesiredLoadBalancer desired, HostComputeLoadBalancer? actual)
{
    private LoadBalancerStatus? _status;

    public DesiredLoadBalancer Desired { get; } = desired;

    /// <summary>The owned HCN load balancer under its ID, or null.</summary>
    public HostComputeLoadBalancer? Actual { get; } = actual;

    /// <summary>The HCN object it should be, or null when it gets none.</summary>
    public HostComputeLoadBalancer? Target { get; set; }

    /// <summary>The resolved backend endpoint IDs.</summary>
    public List<Guid> EndpointIds { get; private init; } = [];

    /// <summary>Remote backends: address → provider address (overlay) or null.</summary>
    public List<KeyValuePair<IPAddress, IPAddress?>> Remotes { get; private init; } = [];

    /// <summary>Backends left out, and why.</summary>
    public List<string> Notes { get; private init; } = [];

    public LoadBalancerOutcome? Outcome { get; private set; }

    /// <summary>HNS refused ModifyLoadBalancer for it this pass (the write fell back to delete + create).</summary>
    public bool ModifyRefused { get; set; }

    /// <summary>When a load balancer that is backing off is tried again.</summary>
    public DateTimeOffset? RetryAt { get; set; }

    public string? Reason { get; private set; }

    /// <summary>Whether this pass wrote (or deleted) the HCN object, so its old backends are no longer referenced.</summary>
    public bool Written { get; private set; }

    /// <summary>A target exists and nothing has settled it yet: the pass writes it.</summary>
    public bool NeedsWrite => Target is not null && Outcome is null;

    public void Finish(LoadBalancerOutcome outcome, string? reason, bool written)
    {
        Outcome = outcome;
        Reason = reason;
        Written = written;
    }

    /// <summary>
    /// The same load balancer as HCN now holds it (this pass wrote <see cref="Target"/>, or found it current):
    /// Unchanged, for a later pass with the same desired object to reuse as is. Only what the status needs is kept:
    /// at 40,000 load balancers the resolution lists would cost megabytes.
    /// </summary>
    public LoadBalancerPlan Settled()
    {
        var settled = new LoadBalancerPlan(Desired, Target) { Target = Target, Notes = Notes };
        settled.Finish(LoadBalancerOutcome.Unchanged, null, written: false);
        return settled;
    }

    /// <summary>The status for the report; computed once (a plan reused by later passes is not changed any more).</summary>
    public LoadBalancerStatus Status() => _status ??= ComputeStatus();

    private LoadBalancerStatus ComputeStatus()
    {
        var inHcn = Outcome switch
        {
            LoadBalancerOutcome.Unchanged or LoadBalancerOutcome.Created or LoadBalancerOutcome.Modified or LoadBalancerOutcome.Recreated => true,
            LoadBalancerOutcome.Failed or LoadBalancerOutcome.BackingOff => Actual is not null && !Written,
            _ => false,
        };
        int? programmed = !inHcn ? null
            : Outcome is LoadBalancerOutcome.Failed or LoadBalancerOutcome.BackingOff ? Actual!.HostComputeEndpoints?.Count ?? 0
            : Target!.HostComputeEndpoints?.Count ?? 0;
        var reason = Reason ?? (Notes.Count > 0 ? string.Join("; ", Notes) : null);
        return new LoadBalancerStatus(Desired.Key, Desired.Verdict, Desired.Backends.Count, programmed, Outcome ?? LoadBalancerOutcome.Failed, reason);
    }
}
