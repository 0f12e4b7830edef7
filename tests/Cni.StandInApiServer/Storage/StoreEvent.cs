using System.Text.Json.Nodes;
using Cni.StandInApiServer.Resources;

namespace Cni.StandInApiServer.Storage;

/// <summary>One change in the store's history. <paramref name="Object"/> is the new state (for DELETED the last state
/// stamped with the deletion's resourceVersion); <paramref name="Previous"/> the state before (null for ADDED).
/// Both are owned by the store and only read under its lock.</summary>
internal sealed record StoreEvent(long ResourceVersion, string Type, ResourceType Resource, JsonObject Object, JsonObject? Previous);
