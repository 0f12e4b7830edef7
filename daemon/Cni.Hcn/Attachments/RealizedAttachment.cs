using Cni.Hcn.Model;

namespace Cni.Hcn.Attachments;

/// <summary>An endpoint's attachment as the dataplane has it (see <see cref="IAttachmentVerifier"/>).</summary>
public sealed record RealizedAttachment
{
    /// <summary>The endpoint.</summary>
    public required Guid EndpointId { get; init; }

    /// <summary>The namespace the endpoint is attached to; <see cref="Guid.Empty"/> when attached nowhere.</summary>
    public Guid NamespaceId { get; init; }

    /// <summary>The name the endpoint's interface has (or must have) inside the namespace.</summary>
    public string? InterfaceName { get; init; }

    /// <summary>Whether an interface of that name, belonging to this endpoint, exists in the namespace.</summary>
    public bool InterfaceFound { get; init; }

    /// <summary>Whether that interface is up.</summary>
    public bool Up { get; init; }

    /// <summary>Its MAC address (HCN's dash form), if found.</summary>
    public string? MacAddress { get; init; }

    /// <summary>The addresses on it, with their prefix lengths.</summary>
    public IReadOnlyList<IpConfig> IpConfigurations { get; init; } = [];

    /// <summary>The routes through it in the namespace's main table (<c>NextHop</c> empty for on-link routes).</summary>
    public IReadOnlyList<Route> Routes { get; init; } = [];

    /// <summary>How the attachment differs from the endpoint object, one sentence each; empty when it is as the object says.</summary>
    public IReadOnlyList<string> Problems { get; init; } = [];

    /// <summary>Whether the attachment exists as the endpoint object says.</summary>
    public bool IsIntact => Problems.Count == 0;
}
