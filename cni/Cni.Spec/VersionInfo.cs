using System.Buffers;
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
        // Written by hand rather than through a serializer: VERSION is exec'd on its own, and serializer or encoder
        // set-up would cost more than the rest of the process (see MinimalJsonWriter).
        var buffer = new ArrayBufferWriter<byte>(128);
        MinimalJsonWriter.WriteRaw(buffer, "{\"cniVersion\":"u8);
        MinimalJsonWriter.WriteString(buffer, RequestedVersion(stdin) ?? CniVersion.Latest);
        MinimalJsonWriter.WriteRaw(buffer, ",\"supportedVersions\":["u8);
        for (var i = 0; i < CniVersion.Supported.Count; i++)
        {
            MinimalJsonWriter.WriteRaw(buffer, i == 0 ? ""u8 : ","u8);
            MinimalJsonWriter.WriteString(buffer, CniVersion.Supported[i]);
        }

        MinimalJsonWriter.WriteRaw(buffer, "]}"u8);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The supported cniVersion named by stdin, or null for anything else (empty, garbage, unsupported).</summary>
    private static string? RequestedVersion(ReadOnlySpan<byte> stdin) =>
        PluginInvocation.PeekVersion(stdin) is { } version && CniVersion.IsSupported(version) ? version : null;
}
