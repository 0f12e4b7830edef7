namespace Cni.Node.Configuration;

/// <summary>Default pod DNS (Windows programs it on the endpoint; Linux runtimes write resolv.conf themselves).</summary>
public sealed record DnsOptions
{
    public IReadOnlyList<string> Nameservers { get; init; } = [];

    public string? Domain { get; init; }

    public IReadOnlyList<string> Search { get; init; } = [];

    public IReadOnlyList<string> Options { get; init; } = [];
}
