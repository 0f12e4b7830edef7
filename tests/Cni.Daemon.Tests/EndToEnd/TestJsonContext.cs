using System.Text.Json.Serialization;

namespace Cni.Daemon.Tests.EndToEnd;

[JsonSerializable(typeof(string))]
internal sealed partial class TestJsonContext : JsonSerializerContext;
