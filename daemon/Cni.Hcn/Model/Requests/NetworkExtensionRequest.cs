namespace Cni.Hcn.Model.Requests;

/// <summary>Settings of a network modify request with resource type Extension (MS-docs <c>Extension</c>).</summary>
public sealed record NetworkExtensionRequest
{
    /// <summary>The switch extension's GUID.</summary>
    public Guid Id { get; init; }

    /// <summary>Whether to enable it.</summary>
    public bool IsEnabled { get; init; }
}
