namespace Cni.Spec.Capabilities;

/// <summary>The <c>dns</c> capability (the CRI DNSConfig). On Windows the plugin programs it on the endpoint.</summary>
public sealed record DnsCapability
{
    public IReadOnlyList<string> Servers { get; init; } = [];

    public IReadOnlyList<string> Searches { get; init; } = [];

    public IReadOnlyList<string> Options { get; init; } = [];
}
