using System.Text.Json;

namespace Cni.Spec;

/// <summary>One plugin object of a conflist, kept verbatim so the request built from it passes every key through.</summary>
public sealed record ConfListPlugin
{
    /// <summary>The binary name (no '/' or '\'); on Windows a runtime tries <c>type + ".exe"</c> first.</summary>
    public required string Type { get; init; }

    /// <summary>The capabilities the plugin enabled (runtimeConfig is filled only for these).</summary>
    public IReadOnlyDictionary<string, bool> Capabilities { get; init; } = new Dictionary<string, bool>(StringComparer.Ordinal);

    /// <summary>The plugin object as written by the admin.</summary>
    public required JsonElement Raw { get; init; }
}
