namespace Cni.Hcn.Model.Policies;

/// <summary>Settings of the <c>NeighborDiscovery</c> network policy (SDN-psm1 only).</summary>
public sealed record NeighborDiscoveryPolicySetting : PolicySetting, INetworkPolicySetting
{
    /// <inheritdoc/>
    NetworkPolicyType INetworkPolicySetting.NetworkPolicyType => NetworkPolicyType.NeighborDiscovery;

    /// <summary>Target prefix.</summary>
    public string? TargetIpPrefix { get; init; }

    /// <summary>Sender IP.</summary>
    public string? SenderIpAddress { get; init; }

    /// <summary>Sender MAC.</summary>
    public string? SenderMacAddress { get; init; }
}
