using System.Buffers;
using System.Text.Json;
using Cni.Spec.Json;

namespace Cni.Spec;

/// <summary>
/// A conflist, what the admin writes and the runtime reads (containernetworking/cni SPEC.md, 'Section 1: Network
/// configuration format'). wincni's installer writes one and its tests play the runtime with it; parsing follows libcni
/// so what passes here passes in containerd.
/// </summary>
public sealed class NetworkConfigList
{
    /// <summary>The list's <c>cniVersion</c> as written (may be null when only <c>cniVersions</c> is given).</summary>
    public string? CniVersion { get; init; }

    /// <summary>The 1.1 <c>cniVersions</c> list as written; null when absent.</summary>
    public IReadOnlyList<string>? CniVersions { get; init; }

    /// <summary>The version a runtime would use: the highest supported one of cniVersions ∪ {cniVersion}.</summary>
    public required string SelectedVersion { get; init; }

    public required string Name { get; init; }

    public bool DisableCheck { get; init; }

    public bool DisableGc { get; init; }

    public bool LoadOnlyInlinedPlugins { get; init; }

    public required IReadOnlyList<ConfListPlugin> Plugins { get; init; }

    /// <summary>
    /// Parses a conflist: JSON (6), wrong types (6), name/plugins/type/version-list problems (7), no supported
    /// version (1). Throws only <see cref="CniException"/>.
    /// </summary>
    public static NetworkConfigList Parse(ReadOnlyMemory<byte> json)
    {
        using var document = CniJson.ParseDocument(json, "network config list");
        return ConfListParser.Parse(document.RootElement, legacySingle: false);
    }

    /// <summary>
    /// Parses a legacy single-plugin <c>.conf</c> file (removed in spec 1.0, still loaded by libcni) as a one-plugin list.
    /// </summary>
    public static NetworkConfigList ParseSingle(ReadOnlyMemory<byte> json)
    {
        using var document = CniJson.ParseDocument(json, "network config");
        return ConfListParser.Parse(document.RootElement, legacySingle: true);
    }

    /// <summary>
    /// The request a runtime sends to plugin <paramref name="index"/> (libcni/api.go <c>buildOneConfig</c>): the plugin
    /// object with <c>cniVersion</c> and <c>name</c> injected (overwriting per-plugin values), plus the optional
    /// injected keys. List-level keys are not passed. <paramref name="prevResult"/> and
    /// <paramref name="runtimeConfig"/> are raw JSON values.
    /// </summary>
    public byte[] BuildRequest(int index, JsonElement? prevResult = null, JsonElement? runtimeConfig = null, IReadOnlyList<GcAttachment>? validAttachments = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Plugins.Count);
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("cniVersion", SelectedVersion);
            writer.WriteString("name", Name);
            foreach (var p in Plugins[index].Raw.EnumerateObject())
            {
                if (p.NameEquals("cniVersion") || p.NameEquals("name") || p.NameEquals("prevResult") || p.NameEquals("runtimeConfig")
                    || p.NameEquals(NetworkConfig.ValidAttachmentsKey) || p.NameEquals(NetworkConfig.AttachmentsKey))
                {
                    continue;
                }

                p.WriteTo(writer);
            }

            if (prevResult is { } pr)
            {
                writer.WritePropertyName("prevResult");
                pr.WriteTo(writer);
            }

            if (runtimeConfig is { } rc)
            {
                writer.WritePropertyName("runtimeConfig");
                rc.WriteTo(writer);
            }

            if (validAttachments is not null)
            {
                foreach (var key in new[] { NetworkConfig.ValidAttachmentsKey, NetworkConfig.AttachmentsKey })
                {
                    writer.WriteStartArray(key);
                    foreach (var a in validAttachments)
                    {
                        writer.WriteStartObject();
                        writer.WriteString("containerID", a.ContainerId);
                        writer.WriteString("ifname", a.IfName);
                        writer.WriteEndObject();
                    }

                    writer.WriteEndArray();
                }
            }

            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }
}
