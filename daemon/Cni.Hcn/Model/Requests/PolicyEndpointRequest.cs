using Cni.Hcn.Model.Policies;

namespace Cni.Hcn.Model.Requests;

/// <summary>Settings of an endpoint modify request with resource type Policy: <c>{"Policies":[…]}</c>.</summary>
public sealed record PolicyEndpointRequest
{
    /// <summary>The policies to add, remove or update.</summary>
    public IReadOnlyList<EndpointPolicy>? Policies { get; init; }
}
