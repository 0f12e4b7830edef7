namespace Cni.Hcn.Model;

/// <summary>DNS settings of a network or an endpoint (all members omitted when empty).</summary>
public sealed record Dns
{
    /// <summary>DNS domain.</summary>
    public string? Domain { get; init; }

    /// <summary>Search suffixes.</summary>
    public IReadOnlyList<string>? Search { get; init; }

    /// <summary>DNS server addresses.</summary>
    public IReadOnlyList<string>? ServerList { get; init; }

    /// <summary>Resolver options.</summary>
    public IReadOnlyList<string>? Options { get; init; }
}
