using Cni.StandInApiServer.Resources;

namespace Cni.StandInApiServer.Http;

/// <summary>A parsed resource URL: <c>/api/v1[/watch][/namespaces/{ns}]/{plural}[/{name}[/{subresource}]]</c> or the
/// same under <c>/apis/{group}/{version}</c>.</summary>
internal sealed record ResourcePath(ResourceType Type, string? Namespace, string? Name, string? Subresource, bool LegacyWatch)
{
    /// <summary>Parses <paramref name="path"/>; null when it is not a served resource URL.</summary>
    public static ResourcePath? Parse(string path)
    {
        var segments = path.Trim('/').Split('/');
        int rest;
        string group, version;
        if (segments.Length >= 3 && segments[0] == "api")
        {
            (group, version, rest) = ("", segments[1], 2);
        }
        else if (segments.Length >= 4 && segments[0] == "apis")
        {
            (group, version, rest) = (segments[1], segments[2], 3);
        }
        else
        {
            return null;
        }

        var tail = segments[rest..].Select(Uri.UnescapeDataString).ToList();
        var legacyWatch = tail.Count > 0 && tail[0] == "watch";
        if (legacyWatch) tail.RemoveAt(0);
        string? ns = null;
        if (tail.Count >= 3 && tail[0] == "namespaces" && ResourceTypes.Find(group, version, tail[2]) is { Namespaced: true })
        {
            ns = tail[1];
            tail.RemoveRange(0, 2);
        }

        if (tail.Count is 0 or > 3) return null;
        var type = ResourceTypes.Find(group, version, tail[0]);
        if (type is null || ns is not null && !type.Namespaced) return null;
        var name = tail.Count > 1 ? tail[1] : null;
        var sub = tail.Count > 2 ? tail[2] : null;
        if (sub is not null && (sub != "status" || !type.HasStatus || legacyWatch)) return null;
        return new(type, ns, name, sub, legacyWatch);
    }
}
