using System.Text.Json.Serialization;

namespace Cni.Spec.Wire;

/// <summary>Source-generated metadata for the daemon side of the wire protocol (no reflection: AOT and trimming safe).</summary>
[JsonSourceGenerationOptions(PropertyNameCaseInsensitive = true)]
[JsonSerializable(typeof(DaemonRequest))]
public sealed partial class WireJsonContext : JsonSerializerContext;
