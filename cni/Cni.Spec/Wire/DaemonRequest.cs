using System.Text.Json;
using System.Text.Json.Serialization;

namespace Cni.Spec.Wire;

/// <summary>
/// One CNI invocation as the plugin forwards it: the CNI_* environment and the network configuration exactly as the
/// runtime wrote it on stdin (<see cref="Config"/> carries the original bytes, so nothing the plugin does not
/// understand is lost on the way).
/// </summary>
public sealed record DaemonRequest
{
    [JsonPropertyName("command")]
    public required string Command { get; init; }

    [JsonPropertyName("containerId")]
    public string ContainerId { get; init; } = "";

    [JsonPropertyName("netns")]
    public string Netns { get; init; } = "";

    [JsonPropertyName("ifName")]
    public string IfName { get; init; } = "";

    /// <summary>CNI_ARGS as received (already validated by the plugin).</summary>
    [JsonPropertyName("args")]
    public string Args { get; init; } = "";

    /// <summary>CNI_PATH as received.</summary>
    [JsonPropertyName("path")]
    public string Path { get; init; } = "";

    /// <summary>The stdin document, verbatim.</summary>
    [JsonPropertyName("config")]
    public JsonElement Config { get; init; }

    /// <summary>
    /// Writes the request with the configuration copied byte for byte from <paramref name="rawConfig"/>, which the
    /// caller has already parsed as a JSON object. Hand-written so the plugin's hot path needs no serializer metadata.
    /// </summary>
    public static void Write(
        Utf8JsonWriter writer,
        string command,
        string containerId,
        string netns,
        string ifName,
        string args,
        string path,
        ReadOnlySpan<byte> rawConfig)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStartObject();
        writer.WriteString("command", command);
        writer.WriteString("containerId", containerId);
        writer.WriteString("netns", netns);
        writer.WriteString("ifName", ifName);
        writer.WriteString("args", args);
        writer.WriteString("path", path);
        writer.WritePropertyName("config");
        writer.WriteRawValue(rawConfig, skipInputValidation: true);
        writer.WriteEndObject();
        writer.Flush();
    }
}
