namespace Cni.StandInApiServer.Resources;

/// <summary>One REST resource the stand-in serves (what the real server's discovery describes).</summary>
/// <param name="Group">API group; empty for core.</param>
/// <param name="Version">API version, e.g. v1.</param>
/// <param name="Plural">URL name, e.g. nodes.</param>
/// <param name="Singular">Singular name, e.g. node.</param>
/// <param name="Kind">Object kind, e.g. Node.</param>
/// <param name="Namespaced">Whether objects live in a namespace.</param>
/// <param name="HasStatus">Whether a <c>status</c> subresource exists.</param>
/// <param name="ShortNames">kubectl short names.</param>
public sealed record ResourceType(
    string Group, string Version, string Plural, string Singular, string Kind, bool Namespaced, bool HasStatus,
    IReadOnlyList<string> ShortNames)
{
    /// <summary>apiVersion as written in objects: v1 or group/version.</summary>
    public string ApiVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";

    /// <summary>Kind of the list object, e.g. NodeList.</summary>
    public string ListKind => Kind + "List";

    /// <summary>Plural qualified by group as error messages write it (nodes, endpointslices.discovery.k8s.io).</summary>
    public string QualifiedPlural => Group.Length == 0 ? Plural : $"{Plural}.{Group}";
}
