using System.Globalization;
using System.Text.Json;

namespace Cni.Spec.Json;

/// <summary>
/// Typed, path-aware reads from a <see cref="JsonElement"/>. Every failure becomes a <see cref="CniException"/> with
/// the caller's code and a message naming the field, so parsers never leak JsonException or InvalidOperationException.
/// </summary>
internal static class JsonFields
{
    public static CniException Error(CniErrorCode code, string path, string problem) =>
        new(code, path.Length == 0 ? problem : path + ": " + problem);

    public static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => "nothing",
    };

    public static CniException WrongType(CniErrorCode code, string path, string expected, JsonElement actual) =>
        Error(code, path, "expected " + expected + ", got " + Describe(actual.ValueKind));

    public static void ExpectObject(JsonElement e, string path, CniErrorCode code)
    {
        if (e.ValueKind != JsonValueKind.Object)
        {
            throw WrongType(code, path, "an object", e);
        }
    }

    public static void ExpectArray(JsonElement e, string path, CniErrorCode code)
    {
        if (e.ValueKind != JsonValueKind.Array)
        {
            throw WrongType(code, path, "an array", e);
        }
    }

    /// <summary>A property name; escapes that cannot be turned into UTF-16 (lone surrogates) are a decode error.</summary>
    public static string Name(JsonProperty p, string path, CniErrorCode code)
    {
        try
        {
            return p.Name;
        }
        catch (InvalidOperationException)
        {
            throw Error(code, path, "a key is not valid text");
        }
    }

    /// <summary>A string value (null for JSON null, as Go's decoder treats null as "absent").</summary>
    public static string? OptString(JsonElement e, string path, CniErrorCode code)
    {
        if (e.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (e.ValueKind != JsonValueKind.String)
        {
            throw WrongType(code, path, "a string", e);
        }

        try
        {
            return e.GetString();
        }
        catch (InvalidOperationException)
        {
            throw Error(code, path, "not valid text");
        }
    }

    public static bool? OptBool(JsonElement e, string path, CniErrorCode code) => e.ValueKind switch
    {
        JsonValueKind.Null => null,
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => throw WrongType(code, path, "a boolean", e),
    };

    /// <summary>An integer within [min, max]; fractions, exponents out of range and huge values are rejected by name.</summary>
    public static long? OptInteger(JsonElement e, string path, CniErrorCode code, long min, long max)
    {
        if (e.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (e.ValueKind != JsonValueKind.Number)
        {
            throw WrongType(code, path, "a number", e);
        }

        if (!e.TryGetInt64(out var value) || value < min || value > max)
        {
            throw Error(code, path, string.Create(
                CultureInfo.InvariantCulture,
                $"must be an integer between {min} and {max}, got {Truncate(e.GetRawText())}"));
        }

        return value;
    }

    public static ulong? OptUnsigned(JsonElement e, string path, CniErrorCode code)
    {
        if (e.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (e.ValueKind != JsonValueKind.Number)
        {
            throw WrongType(code, path, "a number", e);
        }

        if (!e.TryGetUInt64(out var value))
        {
            throw Error(code, path, "must be a non-negative integer, got " + Truncate(e.GetRawText()));
        }

        return value;
    }

    public static double? OptDouble(JsonElement e, string path, CniErrorCode code)
    {
        if (e.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (e.ValueKind != JsonValueKind.Number)
        {
            throw WrongType(code, path, "a number", e);
        }

        if (!e.TryGetDouble(out var value) || double.IsNaN(value) || double.IsInfinity(value))
        {
            throw Error(code, path, "is not a finite number");
        }

        return value;
    }

    /// <summary>A list of strings; null for JSON null.</summary>
    public static List<string>? OptStringList(JsonElement e, string path, CniErrorCode code)
    {
        if (e.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        ExpectArray(e, path, code);
        var list = new List<string>(e.GetArrayLength());
        var i = 0;
        foreach (var item in e.EnumerateArray())
        {
            var itemPath = JsonPath.Index(path, i++);
            list.Add(OptString(item, itemPath, code) ?? throw WrongType(code, itemPath, "a string", item));
        }

        return list;
    }

    /// <summary>A map of string to string; null for JSON null.</summary>
    public static Dictionary<string, string>? OptStringMap(JsonElement e, string path, CniErrorCode code)
    {
        if (e.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        ExpectObject(e, path, code);
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var p in e.EnumerateObject())
        {
            var key = Name(p, path, code);
            var keyPath = JsonPath.Child(path, key);
            map[key] = OptString(p.Value, keyPath, code) ?? throw WrongType(code, keyPath, "a string", p.Value);
        }

        return map;
    }

    private static string Truncate(string raw) => raw.Length <= 40 ? raw : raw[..40] + "…";
}
