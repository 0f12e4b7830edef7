using System.Text.Json;

namespace Cni.Hcn.Model.Policies;

/// <summary>
/// Settings kept verbatim: a policy type without a typed settings record (L2Driver, Encryption, endpoint VLAN, types
/// newer than this model) or settings that did not fit their typed record. Written back unchanged.
/// </summary>
/// <param name="Value">The settings JSON.</param>
public sealed record RawPolicySetting(JsonElement Value) : PolicySetting
{
    /// <summary>Structural equality over the JSON (JsonElement itself compares by reference).</summary>
    /// <param name="other">The other setting.</param>
    /// <returns>True when both hold equal JSON.</returns>
    public bool Equals(RawPolicySetting? other) => other is not null && JsonElement.DeepEquals(Value, other.Value);

    /// <inheritdoc/>
    public override int GetHashCode() => Value.ValueKind.GetHashCode();
}
