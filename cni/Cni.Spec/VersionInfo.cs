using System.Text.Json;
using Cni.Spec.Json;

namespace Cni.Spec;

/// <summary>
/// The VERSION command, answered locally by the executable. Spec behaviour: echo the input's cniVersion when it is
/// one wincni supports, otherwise answer with the latest. stdin is optional and may be garbage (T01–T03): VERSION never
/// fails, because libcni treats a failing VERSION as "plugin supports only 0.1.0".
/// </summary>
public static class VersionInfo
{
    /// <summary>The VERSION answer as UTF-8 JSON.</summary>
    public static byte[] ResponseFor(ReadOnlySpan<byte> stdin)
    {
        // Written by hand rather than through the serializer context: VERSION is exec'd on its own, and initialising
        // serializer metadata would cost more than the rest of the process.
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(128);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("cniVersion", RequestedVersion(stdin) ?? CniVersion.Latest);
            writer.WriteStartArray("supportedVersions");
            foreach (var version in CniVersion.Supported)
            {
                writer.WriteStringValue(version);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The supported cniVersion named by stdin, or null for anything else (empty, garbage, unsupported).</summary>
    private static string? RequestedVersion(ReadOnlySpan<byte> stdin) =>
        PluginInvocation.PeekVersion(stdin) is { } version && CniVersion.IsSupported(version) ? version : null;
}
