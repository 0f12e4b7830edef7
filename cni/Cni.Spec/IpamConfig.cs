using System.Text.Json;

namespace Cni.Spec;

/// <summary>
/// The <c>ipam</c> block of a plugin config: only <c>type</c> is defined by the spec; the rest belongs to the IPAM
/// plugin and is kept verbatim in <see cref="Raw"/>.
/// </summary>
public sealed record IpamConfig
{
    /// <summary>The IPAM plugin binary name; null or empty when the block has none (wincni's built-in IPAM).</summary>
    public string? Type { get; init; }

    /// <summary>The whole block as received.</summary>
    public JsonElement Raw { get; init; }
}
