namespace Cni.StandInApiServer.Storage;

/// <summary>The <c>type</c> of a watch event, spelled as on the wire.</summary>
public static class WatchEventType
{
    /// <summary>An object appeared (or entered the selector).</summary>
    public const string Added = "ADDED";

    /// <summary>An object changed.</summary>
    public const string Modified = "MODIFIED";

    /// <summary>An object went away (or left the selector).</summary>
    public const string Deleted = "DELETED";

    /// <summary>Progress marker: only the resourceVersion is meaningful.</summary>
    public const string Bookmark = "BOOKMARK";

    /// <summary>The watch failed; the object is a Status.</summary>
    public const string Error = "ERROR";
}
