using System.Text.Json.Nodes;

namespace Cni.StandInApiServer.Storage;

/// <summary>One event as a particular watcher sees it; <paramref name="Object"/> belongs to that watcher alone.</summary>
internal sealed record WatchFrame(string Type, JsonObject Object);
