using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization;
using Cni.Spec.Json;

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
    /// caller has already parsed as a JSON object. Hand-written (no serializer, no encoder tables) because it runs in
    /// every plugin exec; see <see cref="MinimalJsonWriter"/>.
    /// </summary>
    public static void Write(
        IBufferWriter<byte> output,
        string command,
        string containerId,
        string netns,
        string ifName,
        string args,
        string path,
        ReadOnlySpan<byte> rawConfig)
    {
        ArgumentNullException.ThrowIfNull(output);
        MinimalJsonWriter.WriteRaw(output, "{\"command\":"u8);
        MinimalJsonWriter.WriteString(output, command);
        MinimalJsonWriter.WriteRaw(output, ",\"containerId\":"u8);
        MinimalJsonWriter.WriteString(output, containerId);
        MinimalJsonWriter.WriteRaw(output, ",\"netns\":"u8);
        MinimalJsonWriter.WriteString(output, netns);
        MinimalJsonWriter.WriteRaw(output, ",\"ifName\":"u8);
        MinimalJsonWriter.WriteString(output, ifName);
        MinimalJsonWriter.WriteRaw(output, ",\"args\":"u8);
        MinimalJsonWriter.WriteString(output, args);
        MinimalJsonWriter.WriteRaw(output, ",\"path\":"u8);
        MinimalJsonWriter.WriteString(output, path);
        MinimalJsonWriter.WriteRaw(output, ",\"config\":"u8);
        MinimalJsonWriter.WriteRaw(output, rawConfig);
        MinimalJsonWriter.WriteRaw(output, "}"u8);
    }
}
