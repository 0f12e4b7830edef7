using System.Text.Json.Nodes;

namespace Cni.StandInApiServer.Storage;

/// <summary>A request failed; carries the Kubernetes <c>Status</c> the API server answers with.</summary>
public sealed class ApiException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ApiException(int code, string reason, string message, string? name = null, string? kind = null, string? group = null,
        JsonArray? causes = null)
        : base(message)
    {
        Code = code;
        Reason = reason;
        Name = name;
        Kind = kind;
        Group = group;
        Causes = causes;
    }

    /// <summary>Creates the exception (for analyzers; prefer the detailed constructor).</summary>
    public ApiException() : this(500, "InternalError", "internal error") { }

    /// <summary>Creates the exception (for analyzers; prefer the detailed constructor).</summary>
    public ApiException(string message) : this(500, "InternalError", message) { }

    /// <summary>Creates the exception (for analyzers; prefer the detailed constructor).</summary>
    public ApiException(string message, Exception innerException) : base(message, innerException)
    {
        Code = 500;
        Reason = "InternalError";
    }

    /// <summary>HTTP status code.</summary>
    public int Code { get; }

    /// <summary>Machine-readable reason (NotFound, AlreadyExists, Conflict, Invalid, ...).</summary>
    public string Reason { get; }

    /// <summary>Name of the object concerned, if any.</summary>
    public string? Name { get; }

    /// <summary>Resource (plural, as the real server puts it in details.kind), if any.</summary>
    public string? Kind { get; }

    /// <summary>API group of the resource, if any.</summary>
    public string? Group { get; }

    /// <summary>Field-level causes for Invalid.</summary>
    public JsonArray? Causes { get; }

    /// <summary>The <c>Status</c> object as the real API server sends it.</summary>
    public JsonObject ToStatus()
    {
        var status = new JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject(),
            ["status"] = "Failure",
            ["message"] = Message,
            ["reason"] = Reason,
        };
        if (Name is not null || Kind is not null || Causes is not null)
        {
            var details = new JsonObject();
            if (Name is not null) details["name"] = Name;
            if (!string.IsNullOrEmpty(Group)) details["group"] = Group;
            if (Kind is not null) details["kind"] = Kind;
            if (Causes is not null) details["causes"] = Causes.DeepClone();
            status["details"] = details;
        }
        status["code"] = Code;
        return status;
    }

    internal static ApiException NotFound(Resources.ResourceType type, string name) =>
        new(404, "NotFound", $"{type.QualifiedPlural} \"{name}\" not found", name, type.Plural, type.Group);

    internal static ApiException AlreadyExists(Resources.ResourceType type, string name) =>
        new(409, "AlreadyExists", $"{type.QualifiedPlural} \"{name}\" already exists", name, type.Plural, type.Group);

    internal static ApiException Conflict(Resources.ResourceType type, string name, string why) =>
        new(409, "Conflict", $"Operation cannot be fulfilled on {type.QualifiedPlural} \"{name}\": {why}", name, type.Plural, type.Group);

    internal static ApiException BadRequest(string message) => new(400, "BadRequest", message);

    internal static ApiException Expired(string message) => new(410, "Expired", message);

    internal static ApiException Invalid(Resources.ResourceType type, string name, params (string Field, string Reason, string Message)[] errors)
    {
        var causes = new JsonArray();
        foreach (var (field, reason, message) in errors)
        {
            causes.Add(new JsonObject { ["reason"] = reason, ["message"] = message, ["field"] = field });
        }

        var text = string.Join(", ", errors.Select(e => $"{e.Field}: {e.Message}"));
        var summary = errors.Length == 1 ? text : $"[{text}]";
        return new(422, "Invalid", $"{type.Kind} \"{name}\" is invalid: {summary}", name, type.Kind, type.Group, causes);
    }
}
