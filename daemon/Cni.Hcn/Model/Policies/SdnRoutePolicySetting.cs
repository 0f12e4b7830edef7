namespace Cni.Hcn.Model.Policies;

/// <summary>Settings of the <c>SDNRoute</c> endpoint policy, and the element of a HostComputeRoute's routes.</summary>
public sealed record SdnRoutePolicySetting : PolicySetting, IEndpointPolicySetting
{
    /// <inheritdoc/>
    EndpointPolicyType IEndpointPolicySetting.EndpointPolicyType => EndpointPolicyType.SdnRoute;

    /// <summary>Destination CIDR.</summary>
    public string? DestinationPrefix { get; init; }

    public string? NextHop { get; init; }

    /// <summary>Encapsulate (Overlay).</summary>
    public bool NeedEncap { get; init; }

    /// <summary>MS-docs only.</summary>
    public bool AutomaticEndpointMonitor { get; init; }
}
