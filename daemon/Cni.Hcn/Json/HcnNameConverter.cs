using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Cni.Hcn.Json;

/// <summary>
/// Writes an <see cref="IHcnName{TSelf}"/> as its string; reads strings, and numbers as their decimal text, because one
/// client (SDN-psm1) sends some Type-like values as numbers (SetPolicy <c>PolicyType</c>).
/// </summary>
/// <typeparam name="T">The name struct.</typeparam>
public sealed class HcnNameConverter<T> : JsonConverter<T>
    where T : struct, IHcnName<T>
{
    /// <inheritdoc/>
    public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType switch
        {
            JsonTokenType.String => T.FromValue(reader.GetString() ?? string.Empty),
            JsonTokenType.Number => T.FromValue(reader.TryGetInt64(out var n)
                ? n.ToString(CultureInfo.InvariantCulture)
                : reader.GetDouble().ToString(CultureInfo.InvariantCulture)),
            JsonTokenType.Null => default,
            _ => throw new JsonException($"Expected a string for {typeof(T).Name}, got {reader.TokenType}."),
        };

    /// <inheritdoc/>
    public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStringValue(value.Value ?? string.Empty);
    }
}
