using System.Text.Json;
using System.Text.Json.Serialization;
using Cni.Hcn.Model.Policies;

namespace Cni.Hcn.Json;

/// <summary>JSON for <see cref="SubnetPolicy"/>: settings typed by the policy's <c>Type</c>.</summary>
public sealed class SubnetPolicyConverter : JsonConverter<SubnetPolicy>
{
    /// <inheritdoc/>
    public override SubnetPolicy? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        var (type, settings) = PolicyJson.Read(ref reader, options, PolicySettingTypes.ForSubnet);
        return new SubnetPolicy { Type = type is null ? default : SubnetPolicyType.FromValue(type), Settings = settings };
    }

    /// <inheritdoc/>
    public override void Write(Utf8JsonWriter writer, SubnetPolicy value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(value);
        PolicyJson.Write(writer, value.Type.Value, value.Settings, options);
    }
}
