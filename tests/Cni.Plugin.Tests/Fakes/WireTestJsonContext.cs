using System.Text.Json.Serialization;

namespace Cni.Plugin.Tests.Fakes;

/// <summary>Source-generated metadata for the few values the tests serialize themselves.</summary>
[JsonSerializable(typeof(string))]
internal sealed partial class WireTestJsonContext : JsonSerializerContext;
