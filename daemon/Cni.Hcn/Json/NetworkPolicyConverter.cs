using System.Text.Json;
using System.Text.Json.Serialization;
using Cni.Hcn.Model.Policies;

namespace Cni.Hcn.Json;

/// <summary>JSON for <see cref="NetworkPolicy"/>: settings typed by the policy's <c>Type</c>.</summary>
public sealed class NetworkPolicyConverter : JsonConverter<NetworkPolicy>
{
    /// <inheritdoc/>
    public override NetworkPolicy? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        var (type, settings) = PolicyJson.Read(ref reader, options, PolicySettingTypes.ForNetwork);
        return new NetworkPolicy { Type = type is null ? default : NetworkPolicyType.FromValue(type), Settings = settings };
    }

    /// <inheritdoc/>
    public override void Write(Utf8JsonWriter writer, NetworkPolicy value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(value);
        PolicyJson.Write(writer, value.Type.Value, value.Settings, options);
    }
}
