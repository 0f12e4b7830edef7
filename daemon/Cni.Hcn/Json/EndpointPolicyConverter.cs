using System.Text.Json;
using System.Text.Json.Serialization;
using Cni.Hcn.Model.Policies;

namespace Cni.Hcn.Json;

/// <summary>JSON for <see cref="EndpointPolicy"/>: settings typed by the policy's <c>Type</c>.</summary>
public sealed class EndpointPolicyConverter : JsonConverter<EndpointPolicy>
{
    /// <inheritdoc/>
    public override EndpointPolicy? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        var (type, settings) = PolicyJson.Read(ref reader, options, PolicySettingTypes.ForEndpoint);
        return new EndpointPolicy { Type = type is null ? default : EndpointPolicyType.FromValue(type), Settings = settings };
    }

    /// <inheritdoc/>
    public override void Write(Utf8JsonWriter writer, EndpointPolicy value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(value);
        PolicyJson.Write(writer, value.Type.Value, value.Settings, options);
    }
}
