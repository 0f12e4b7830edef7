namespace Cni.Hcn.Model;

/// <summary>A MAC address range of a <see cref="MacPool"/> (dash form, <c>00-15-5D-52-C0-00</c>).</summary>
public sealed record MacRange
{
    /// <summary>First address.</summary>
    public string? StartMacAddress { get; init; }

    /// <summary>Last address.</summary>
    public string? EndMacAddress { get; init; }
}
