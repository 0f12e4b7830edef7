using System.Text.Json.Serialization;

namespace Cni.Spec.Json;

/// <summary>The VERSION answer.</summary>
internal sealed class VersionDocument
{
    [JsonPropertyName("cniVersion")] public required string CniVersion { get; init; }
    [JsonPropertyName("supportedVersions")] public required IReadOnlyList<string> SupportedVersions { get; init; }
}
