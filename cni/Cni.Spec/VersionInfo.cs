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
    private static string? RequestedVersion(ReadOnlySpan<byte> stdin)
    {
        if (stdin.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            stdin = stdin[3..];
        }

        if (stdin.IsEmpty || stdin.Length > 1024 * 1024)
        {
            return null;
        }

        // A reader rather than a document: no allocation of the whole tree, and only the top-level key matters.
        try
        {
            var reader = new Utf8JsonReader(stdin, new JsonReaderOptions { MaxDepth = 64 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return null;
            }

            string? found = null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isVersion = reader.ValueTextEquals("cniVersion"u8);
                if (!reader.Read())
                {
                    return null;
                }

                if (isVersion && reader.TokenType == JsonTokenType.String)
                {
                    found = reader.GetString();
                }
                else
                {
                    reader.Skip();
                }
            }

            return CniVersion.IsSupported(found) ? found : null;
        }
        catch (JsonException)
        {
            return null; // garbage stdin: VERSION stays tolerant
        }
        catch (InvalidOperationException)
        {
            return null; // string with invalid UTF-8 or lone surrogates
        }
    }
}
