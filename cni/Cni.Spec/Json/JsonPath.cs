using System.Globalization;

namespace Cni.Spec.Json;

/// <summary>Builds the dotted field paths that error messages use ("runtimeConfig.portMappings[0].hostPort").</summary>
internal static class JsonPath
{
    public static string Child(string parent, string key) =>
        parent.Length == 0 ? key : parent + "." + key;

    public static string Index(string parent, int index) =>
        string.Create(CultureInfo.InvariantCulture, $"{parent}[{index}]");

    /// <summary>Quotes a value for a message, cutting it short so a 1.5 MiB string cannot flood the runtime's logs.</summary>
    public static string Quote(string? value)
    {
        const int max = 128;
        if (value is null)
        {
            return "null";
        }

        return value.Length <= max ? "\"" + value + "\"" : "\"" + value[..max] + "…\"";
    }
}
