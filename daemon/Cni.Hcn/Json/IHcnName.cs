namespace Cni.Hcn.Json;

/// <summary>
/// A string-valued HCN enum ("Type"-like values such as <c>"L2Bridge"</c> or <c>"OutBoundNAT"</c>). They are structs
/// over the wire string rather than C# enums so that a value this model does not know (a newer HNS, a MS-docs-only
/// type) still reads, round-trips and compares instead of failing the whole document.
/// </summary>
/// <typeparam name="TSelf">The implementing struct.</typeparam>
public interface IHcnName<TSelf>
    where TSelf : struct, IHcnName<TSelf>
{
    /// <summary>The exact wire string; <see langword="null"/> only for <c>default(TSelf)</c>.</summary>
    string? Value { get; }

    /// <summary>Wraps a wire string (no validation: unknown names are kept).</summary>
    static abstract TSelf FromValue(string value);
}
