namespace Cni.Node.Services;

/// <summary>
/// One Service's load balancers as a pass left them (written ones settled to Unchanged), so the next event-driven
/// pass reuses them as they are while the Service's translation is the same instance.
/// </summary>
internal sealed class ServicePlanState
{
    private ServiceProxyStatus? _status;

    public ServicePlanState(ServiceTranslation translation, LoadBalancerPlan[] plans)
    {
        Translation = translation;
        Plans = plans;
        foreach (var plan in plans)
        {
            switch (plan.Outcome)
            {
                case LoadBalancerOutcome.Unchanged:
                    Unchanged++;
                    break;
                case LoadBalancerOutcome.NotProgrammed:
                    break;
                default:
                    // Failed or backing off: planned again by every pass until it settles.
                    Settled = false;
                    break;
            }
        }
    }

    public ServiceTranslation Translation { get; }

    /// <summary>One per desired load balancer of <see cref="Translation"/>, in its order.</summary>
    public LoadBalancerPlan[] Plans { get; }

    /// <summary>Whether HCN holds what every plan wants (or knowingly nothing), so nothing needs retrying.</summary>
    public bool Settled { get; } = true;

    /// <summary>Plans whose outcome is Unchanged.</summary>
    public int Unchanged { get; }

    /// <summary>The Service's status in a report of a pass that reused this state.</summary>
    public ServiceProxyStatus Status() => _status ??= StatusOf(Translation, Plans);

    /// <summary>A Service's status from its plans.</summary>
    public static ServiceProxyStatus StatusOf(ServiceTranslation translation, LoadBalancerPlan[] plans)
    {
        var statuses = new LoadBalancerStatus[plans.Length];
        for (var i = 0; i < plans.Length; i++)
        {
            statuses[i] = plans[i].Status();
        }

        return new ServiceProxyStatus(translation.Service, translation.Skipped, statuses, translation.Conditions);
    }
}
