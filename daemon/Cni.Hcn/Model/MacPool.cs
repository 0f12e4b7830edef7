namespace Cni.Hcn.Model;

/// <summary>The MAC pool of a network.</summary>
public sealed record MacPool
{
    /// <summary>Address ranges.</summary>
    public IReadOnlyList<MacRange>? Ranges { get; init; }
}
