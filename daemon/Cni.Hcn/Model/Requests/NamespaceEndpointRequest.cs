namespace Cni.Hcn.Model.Requests;

/// <summary>Settings of a namespace modify request with resource type Endpoint: <c>{"EndpointId":"…"}</c>.</summary>
public sealed record NamespaceEndpointRequest
{
    /// <summary>The endpoint to attach or detach.</summary>
    public Guid EndpointId { get; init; }
}
