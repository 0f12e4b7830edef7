using System.Text.Json;
using Cni.Spec.Capabilities;
using Cni.Spec.Results;

namespace Cni.Spec;

/// <summary>
/// The per-plugin request a runtime writes on stdin (containernetworking/cni SPEC.md, 'Section 3: Execution of Network
/// Configurations'): the plugin object from the conflist with <c>cniVersion</c> and <c>name</c> injected, plus
/// <c>prevResult</c>, <c>runtimeConfig</c> and the GC lists when the command carries them. wincni's own keys
/// (<c>socket</c>, <c>logFile</c>, <c>timeoutSeconds</c>) are typed; every other key survives in
/// <see cref="ExtensionData"/> and the exact bytes in <see cref="RawJson"/>.
/// </summary>
public sealed class NetworkConfig
{
    public const string ValidAttachmentsKey = "cni.dev/valid-attachments";
    public const string AttachmentsKey = "cni.dev/attachments";

    public required string CniVersion { get; init; }

    public required string Name { get; init; }

    public required string Type { get; init; }

    /// <summary>Tolerated although the spec says runtimes must not send it (libcni passes it through).</summary>
    public IReadOnlyDictionary<string, bool>? Capabilities { get; init; }

    public bool? IpMasq { get; init; }

    public IpamConfig? Ipam { get; init; }

    public CniDns? Dns { get; init; }

    /// <summary>The previous plugin's (or the cached ADD) result, parsed in its own version; null when absent.</summary>
    public CniResult? PrevResult { get; init; }

    /// <summary>
    /// DEL only: why a prevResult that was present could not be used (it is then null). DEL must succeed without a
    /// prevResult, so an unreadable one is dropped rather than failing the teardown; null otherwise.
    /// </summary>
    public string? PrevResultError { get; init; }

    public RuntimeConfig? RuntimeConfig { get; init; }

    /// <summary>The <c>args</c> object (optional metadata such as <c>args.cni.ips</c>).</summary>
    public JsonElement? Args { get; init; }

    /// <summary>
    /// GC: the attachments still in use for this network. From <c>cni.dev/valid-attachments</c>, else from
    /// <c>cni.dev/attachments</c> (the spec-v1.1.0 tag's name). Null when neither key is present: callers must treat
    /// that as "do nothing", never as "everything is garbage".
    /// </summary>
    public IReadOnlyList<GcAttachment>? ValidAttachments { get; init; }

    /// <summary>wincni: the daemon socket path; null for the platform default.</summary>
    public string? Socket { get; init; }

    /// <summary>wincni: where the executable appends its log; null for no file log.</summary>
    public string? LogFile { get; init; }

    /// <summary>wincni: the overall deadline for one invocation; null for the default.</summary>
    public double? TimeoutSeconds { get; init; }

    /// <summary>Every key not modelled above, as received (plugin-specific settings survive).</summary>
    public IReadOnlyDictionary<string, JsonElement> ExtensionData { get; init; } = new Dictionary<string, JsonElement>(StringComparer.Ordinal);

    /// <summary>The request exactly as read from stdin (empty when the config was built in code).</summary>
    public ReadOnlyMemory<byte> RawJson { get; init; }

    /// <summary>
    /// Parses and validates a request config on its own: JSON (6), name (7), cniVersion (1), the rest (6 for wrong
    /// types, 7 for bad values). Throws only <see cref="CniException"/>.
    /// </summary>
    public static NetworkConfig Parse(ReadOnlyMemory<byte> json) => NetworkConfigParser.Parse(json);

    /// <summary>
    /// As <see cref="Parse(ReadOnlyMemory{byte})"/>, plus the command's version gate (CHECK ≥ 0.4.0, STATUS/GC ≥ 1.1.0)
    /// and, for DEL, an unusable prevResult dropped into <see cref="PrevResultError"/> instead of failing.
    /// The daemon uses this on the config the plugin forwards.
    /// </summary>
    public static NetworkConfig Parse(ReadOnlyMemory<byte> json, CniCommand command) => NetworkConfigParser.Parse(json, command);
}
