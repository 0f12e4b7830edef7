using System.Text.Json;

namespace Cni.Hcn.Windows;

/// <summary>
/// Parses the <c>HNSCall</c> response envelope <c>{"Success":bool,"Error":string,"Output":{"Major":n,"Minor":n}}</c>
/// of <c>GET /globals/version</c> (hcsshim hcn/hcn.go <c>hnsResponse</c>, hcn/hcnglobals.go).
/// </summary>
internal static class HnsVersionResponse
{
    /// <summary>Returns (major, minor), or the HNS error text when the envelope says <c>Success: false</c>.</summary>
    public static (int Major, int Minor)? Parse(string response, out string? error)
    {
        error = null;
        try
        {
            using var document = JsonDocument.Parse(response);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                error = "HNSCall returned a response that is not a JSON object.";
                return null;
            }

            var success = TryGet(root, "Success", out var s) && s.ValueKind == JsonValueKind.True;
            if (!success)
            {
                error = TryGet(root, "Error", out var e) && e.ValueKind == JsonValueKind.String
                    ? e.GetString()
                    : "HNSCall reported failure without an error message.";
                return null;
            }

            if (TryGet(root, "Output", out var output) && output.ValueKind == JsonValueKind.Object
                && TryGet(output, "Major", out var major) && major.TryGetInt32(out var maj)
                && TryGet(output, "Minor", out var minor) && minor.TryGetInt32(out var min))
            {
                return (maj, min);
            }

            error = "HNSCall response has no Output.Major/Output.Minor.";
            return null;
        }
        catch (JsonException ex)
        {
            error = $"HNSCall returned invalid JSON: {ex.Message}";
            return null;
        }
    }

    private static bool TryGet(JsonElement element, string name, out JsonElement value)
    {
        foreach (var property in element.EnumerateObject())
        {
            if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                value = property.Value;
                return true;
            }
        }

        value = default;
        return false;
    }
}
