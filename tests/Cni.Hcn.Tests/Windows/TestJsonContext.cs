using System.Text.Json.Serialization;

namespace Cni.Hcn.Tests.Windows;

/// <summary>Source-generated JSON for the small documents the native fakes write themselves.</summary>
[JsonSerializable(typeof(string[]))]
[JsonSerializable(typeof(string))]
internal sealed partial class TestJsonContext : JsonSerializerContext
{
}
