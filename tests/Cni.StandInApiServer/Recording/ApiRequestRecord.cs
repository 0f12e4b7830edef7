namespace Cni.StandInApiServer.Recording;

/// <summary>One resource request as RBAC sees it: the verb (get, list, watch, create, update, patch, delete), the API
/// group, the resource with its subresource (<c>nodes/status</c>), the namespace and name.</summary>
public sealed record ApiRequestRecord(string Verb, string Group, string Resource, string? Namespace, string? Name);
