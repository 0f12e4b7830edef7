namespace Cni.Spec;

/// <summary>
/// The DNS block shared by network configs and results: <c>{nameservers, domain, search, options}</c>, all optional.
/// Empty lists stand for absent keys, matching the reference library's omitempty.
/// </summary>
public sealed record CniDns
{
    public IReadOnlyList<string> Nameservers { get; init; } = [];

    public string? Domain { get; init; }

    public IReadOnlyList<string> Search { get; init; } = [];

    public IReadOnlyList<string> Options { get; init; } = [];

    /// <summary>True when nothing is set; 1.x results leave such a block out.</summary>
    public bool IsEmpty => Nameservers.Count == 0 && string.IsNullOrEmpty(Domain) && Search.Count == 0 && Options.Count == 0;
}
