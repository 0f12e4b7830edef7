using Cni.Hcn.Model.Policies;

namespace Cni.Hcn.Model.Requests;

/// <summary>Settings of a network modify request with resource type Policy: <c>{"Policies":[…]}</c>.</summary>
public sealed record PolicyNetworkRequest
{
    /// <summary>The policies to add, remove or update.</summary>
    public IReadOnlyList<NetworkPolicy>? Policies { get; init; }
}
