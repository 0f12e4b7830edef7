using System.Text.Json;
using Cni.Hcn.Model.Policies;

namespace Cni.Hcn.Json;

/// <summary>
/// Reading and writing the <c>{"Type","Settings"}</c> policy wrapper. Settings are a nested object whose record is
/// chosen by <c>Type</c>; everything goes through the options' source-generated metadata, so this stays AOT-safe.
/// </summary>
internal static class PolicyJson
{
    /// <summary>Reads a wrapper: keys case-insensitive, unknown members ignored.</summary>
    public static (string? Type, PolicySetting? Settings) Read(
        ref Utf8JsonReader reader, JsonSerializerOptions options, Func<string?, Type?> settingsType)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException($"Expected a policy object, got {reader.TokenType}.");
        }

        using var document = JsonDocument.ParseValue(ref reader);
        string? type = null;
        JsonElement? settings = null;
        foreach (var property in document.RootElement.EnumerateObject())
        {
            if (string.Equals(property.Name, "Type", StringComparison.OrdinalIgnoreCase))
            {
                type = property.Value.ValueKind switch
                {
                    JsonValueKind.String => property.Value.GetString(),
                    JsonValueKind.Number => property.Value.GetRawText(),
                    _ => null,
                };
            }
            else if (string.Equals(property.Name, "Settings", StringComparison.OrdinalIgnoreCase))
            {
                settings = property.Value.Clone();
            }
        }

        return (type, ReadSettings(settings, settingsType(type), options));
    }

    /// <summary>Writes a wrapper; <c>Type</c> is always written, <c>Settings</c> only when not null.</summary>
    public static void Write(Utf8JsonWriter writer, string? type, PolicySetting? settings, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        writer.WriteString("Type", type ?? string.Empty);
        if (settings is not null)
        {
            writer.WritePropertyName("Settings");
            if (settings is RawPolicySetting raw)
            {
                raw.Value.WriteTo(writer);
            }
            else
            {
                JsonSerializer.Serialize(writer, settings, options.GetTypeInfo(settings.GetType()));
            }
        }

        writer.WriteEndObject();
    }

    private static PolicySetting? ReadSettings(JsonElement? settings, Type? recordType, JsonSerializerOptions options)
    {
        if (settings is not { } element || element.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (recordType is null || element.ValueKind != JsonValueKind.Object)
        {
            return new RawPolicySetting(element);
        }

        try
        {
            return JsonSerializer.Deserialize(element, options.GetTypeInfo(recordType)) as PolicySetting
                ?? new RawPolicySetting(element);
        }
        catch (JsonException)
        {
            // Tolerant read: settings that do not fit their record (e.g. SDN-psm1's numeric SetPolicy type in a
            // field we type differently) are kept verbatim rather than failing the whole object.
            return new RawPolicySetting(element);
        }
    }
}
