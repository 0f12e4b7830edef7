using System.Text.Json;

namespace Cni.Hcn.Memory;

/// <summary>
/// KernelHcn's layout before <see cref="MemoryHcnStore"/>: one JSON file per object under
/// <c>&lt;dir&gt;/&lt;kind&gt;/&lt;id&gt;.json</c>. Read once on upgrade, so a node keeps its running pods.
/// </summary>
internal static class LegacyObjectFiles
{
    /// <summary>Folder → kind; "netns" (KernelHcn's namespace bindings) keeps its name as an extension kind.</summary>
    private static readonly (string Folder, string Kind)[] Kinds =
    [
        ("networks", MemoryHcnStore.NetworkKind),
        ("endpoints", MemoryHcnStore.EndpointKind),
        ("namespaces", MemoryHcnStore.NamespaceKind),
        ("loadbalancers", MemoryHcnStore.LoadBalancerKind),
        ("routes", MemoryHcnStore.SdnRouteKind),
        ("netns", "netns"),
    ];

    /// <summary>The legacy folders present under <paramref name="directory"/>.</summary>
    public static IEnumerable<string> Folders(string directory) =>
        Kinds.Select(k => Path.Combine(directory, k.Folder)).Where(Directory.Exists);

    /// <summary>Reads every legacy object into <paramref name="state"/>; false when there is no legacy folder.</summary>
    /// <param name="directory">The state directory.</param>
    /// <param name="state">Where the objects go.</param>
    /// <param name="reading">Told each file before it is read, so errors can name it.</param>
    public static bool Read(string directory, MemoryHcnStoredState state, Action<string> reading)
    {
        var found = false;
        foreach (var (folder, kind) in Kinds)
        {
            var path = Path.Combine(directory, folder);
            if (!Directory.Exists(path))
            {
                continue;
            }

            found = true;
            foreach (var file in Directory.GetFiles(path, "*.json"))
            {
                if (Guid.TryParse(Path.GetFileNameWithoutExtension(file), out var id))
                {
                    reading(file);
                    using var document = JsonDocument.Parse(File.ReadAllBytes(file));
                    state.Put(kind, id, document.RootElement);
                }
            }
        }

        return found;
    }
}
