using System.Collections;
using System.Globalization;
using System.Reflection;
using System.Text.Json;

namespace Cni.Hcn.Tests.Model;

/// <summary>
/// Finds the first difference between two model graphs: public properties recursively, lists element-wise, JSON
/// elements structurally, everything else by Equals. Records compare lists by reference, so tests need this.
/// </summary>
internal static class StructuralDiff
{
    /// <summary>The path and values of the first difference, or null when the graphs are equal.</summary>
    public static string? Find(object? expected, object? actual) => Find(expected, actual, "$");

    private static string? Find(object? expected, object? actual, string path)
    {
        if (expected is null || actual is null)
        {
            return expected is null && actual is null ? null : Describe(path, expected, actual);
        }

        var type = expected.GetType();
        if (expected is string || type.IsPrimitive || type.IsEnum || expected is Guid)
        {
            return Equals(expected, actual) ? null : Describe(path, expected, actual);
        }

        if (expected is JsonElement e && actual is JsonElement a)
        {
            return JsonElement.DeepEquals(e, a) ? null : Describe(path, e.GetRawText(), a.GetRawText());
        }

        if (expected is IEnumerable expectedItems && actual is IEnumerable actualItems)
        {
            var left = expectedItems.Cast<object?>().ToList();
            var right = actualItems.Cast<object?>().ToList();
            if (left.Count != right.Count)
            {
                return $"{path}: expected {left.Count} items, got {right.Count}";
            }

            return left.Select((item, i) => Find(item, right[i], string.Create(CultureInfo.InvariantCulture, $"{path}[{i}]")))
                .FirstOrDefault(d => d is not null);
        }

        // Lists may differ in concrete type (array vs List); any other object must match exactly.
        if (type != actual.GetType())
        {
            return $"{path}: expected type {type.Name}, got {actual.GetType().Name}";
        }

        var properties = type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.GetIndexParameters().Length == 0)
            .ToList();
        if (properties.Count == 0 || type.IsValueType)
        {
            return Equals(expected, actual) ? null : Describe(path, expected, actual);
        }

        return properties
            .Select(p => Find(p.GetValue(expected), p.GetValue(actual), path + "." + p.Name))
            .FirstOrDefault(d => d is not null);
    }

    private static string Describe(string path, object? expected, object? actual) =>
        $"{path}: expected <{expected ?? "null"}>, got <{actual ?? "null"}>";
}
