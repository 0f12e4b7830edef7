namespace Cni.Hcn.Model.Requests;

/// <summary>Settings of a namespace modify request with resource type Container: <c>{"ContainerId":"…"}</c>.</summary>
public sealed record NamespaceContainerRequest
{
    public string? ContainerId { get; init; }
}
