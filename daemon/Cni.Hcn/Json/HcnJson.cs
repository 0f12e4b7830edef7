using System.Collections;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Cni.Hcn.Json;

/// <summary>
/// Serializing and parsing HCN documents exactly as HNS expects them. All calls use <see cref="Options"/>: the
/// source-generated <see cref="HcnJsonContext"/> plus Go's <c>omitempty</c> rule for arrays and optional strings (empty
/// ones are omitted like null ones). AOT-safe: only types registered in the context can be used.
/// </summary>
public static class HcnJson
{
    /// <summary>The options every HCN document is written and read with (read-only).</summary>
    public static JsonSerializerOptions Options { get; } = CreateOptions();

    /// <summary>The metadata for <typeparamref name="T"/>.</summary>
    /// <typeparam name="T">An HCN model type.</typeparam>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> is not an HCN model type.</exception>
    public static JsonTypeInfo<T> GetTypeInfo<T>() => (JsonTypeInfo<T>)Options.GetTypeInfo(typeof(T));

    /// <summary>Writes <paramref name="value"/> as compact JSON.</summary>
    /// <typeparam name="T">An HCN model type.</typeparam>
    /// <returns>The JSON text.</returns>
    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, GetTypeInfo<T>());

    /// <summary>Writes <paramref name="value"/> as a <see cref="JsonElement"/> (for embedded <c>Settings</c>).</summary>
    /// <typeparam name="T">An HCN model type.</typeparam>
    public static JsonElement SerializeToElement<T>(T value) => JsonSerializer.SerializeToElement(value, GetTypeInfo<T>());

    /// <summary>Parses JSON text tolerantly (case-insensitive keys, unknown members ignored).</summary>
    /// <typeparam name="T">An HCN model type.</typeparam>
    /// <param name="json">The text.</param>
    /// <returns>The value, or null for a JSON <c>null</c>.</returns>
    /// <exception cref="JsonException">The text is not valid JSON for <typeparamref name="T"/>.</exception>
    public static T? Deserialize<T>(string json) => JsonSerializer.Deserialize(json, GetTypeInfo<T>());

    /// <summary>Parses an element tolerantly.</summary>
    /// <typeparam name="T">An HCN model type.</typeparam>
    /// <returns>The value, or null for a JSON <c>null</c>.</returns>
    /// <exception cref="JsonException">The element is not valid JSON for <typeparamref name="T"/>.</exception>
    public static T? Deserialize<T>(JsonElement element) => element.Deserialize(GetTypeInfo<T>());

    /// <summary>Structural equality of two optional JSON values (property order and whitespace ignored).</summary>
    /// <param name="left">One value.</param>
    /// <param name="right">The other value.</param>
    /// <returns>True when both are absent or deeply equal.</returns>
    public static bool RawEquals(JsonElement? left, JsonElement? right) =>
        left is { } l ? right is { } r && JsonElement.DeepEquals(l, r) : right is null;

    /// <summary>
    /// Whether two model values write the same HCN document (member order ignored). Records compare their lists by
    /// reference, so reconcile loops use this to compare desired with actual objects or policies.
    /// </summary>
    /// <typeparam name="T">An HCN model type.</typeparam>
    /// <param name="left">One value.</param>
    /// <param name="right">The other value.</param>
    /// <returns>True when both serialize to equal JSON.</returns>
    public static bool JsonEquals<T>(T left, T right) =>
        JsonElement.DeepEquals(SerializeToElement(left), SerializeToElement(right));

    private static JsonSerializerOptions CreateOptions()
    {
        var options = new JsonSerializerOptions(HcnJsonContext.Default.Options)
        {
            TypeInfoResolver = HcnJsonContext.Default.WithAddedModifier(OmitEmpty),
        };
        options.MakeReadOnly();
        return options;
    }

    // Go's omitempty also drops "" and empty slices; STJ only drops null/default. HNS accepts both, but exact
    // documents are the goal. Optional strings are the nullable ones (string?); always-written strings are declared
    // non-nullable, so the nullable annotation carries Go's tag.
    private static void OmitEmpty(JsonTypeInfo typeInfo)
    {
        if (typeInfo.Kind != JsonTypeInfoKind.Object)
        {
            return;
        }

        foreach (var property in typeInfo.Properties)
        {
            var previous = property.ShouldSerialize;
            if (property.PropertyType == typeof(string))
            {
                if (property.IsGetNullable)
                {
                    property.ShouldSerialize = (owner, value) =>
                        value is string { Length: > 0 } && (previous is null || previous(owner, value));
                }
            }
            else if (typeof(IEnumerable).IsAssignableFrom(property.PropertyType))
            {
                property.ShouldSerialize = (owner, value) => !IsEmpty(value) && (previous is null || previous(owner, value));
            }
        }
    }

    private static bool IsEmpty(object? value) => value switch
    {
        null => true,
        ICollection collection => collection.Count == 0,
        IEnumerable enumerable => !enumerable.GetEnumerator().MoveNext(),
        _ => false,
    };
}
