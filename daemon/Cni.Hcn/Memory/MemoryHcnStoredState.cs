using System.Text.Json;
using Cni.Hcn.Json;
using Cni.Hcn.Model;

namespace Cni.Hcn.Memory;

/// <summary>
/// The objects of a <see cref="MemoryHcnStore"/> as read from disk (snapshot, then each log line folded in by ID),
/// before the emulator re-creates them. Records carry whole object states, so folding needs no emulator rules.
/// </summary>
internal sealed class MemoryHcnStoredState
{
    /// <summary>The snapshot's array name for each object kind the emulator knows.</summary>
    private static readonly (string Kind, string Array)[] Arrays =
    [
        (MemoryHcnStore.NetworkKind, "networks"),
        (MemoryHcnStore.EndpointKind, "endpoints"),
        (MemoryHcnStore.NamespaceKind, "namespaces"),
        (MemoryHcnStore.LoadBalancerKind, "loadBalancers"),
        (MemoryHcnStore.SdnRouteKind, "sdnRoutes"),
    ];

    public Dictionary<Guid, HostComputeNetwork> Networks { get; } = [];

    public Dictionary<Guid, HostComputeEndpoint> Endpoints { get; } = [];

    public Dictionary<Guid, HostComputeNamespace> Namespaces { get; } = [];

    public Dictionary<Guid, HostComputeLoadBalancer> LoadBalancers { get; } = [];

    public Dictionary<Guid, HostComputeRoute> SdnRoutes { get; } = [];

    /// <summary>Objects of kinds the emulator does not know (its owner's, e.g. KernelHcn's netns bindings), by kind.</summary>
    public Dictionary<string, Dictionary<Guid, JsonElement>> Extensions { get; } = new(StringComparer.Ordinal);

    /// <summary>The snapshot array name of a kind the emulator knows; null for extension kinds.</summary>
    public static string? ArrayOf(string kind) => Array.Find(Arrays, a => a.Kind == kind).Array;

    /// <summary>Loads a snapshot; returns the log generation it starts.</summary>
    public long LoadSnapshot(byte[] bytes, int formatVersion)
    {
        using var document = JsonDocument.Parse(bytes);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidDataException("the document is not a JSON object");
        }

        if (!root.TryGetProperty("version", out var version) || !version.TryGetInt32(out var v) || v != formatVersion)
        {
            throw new InvalidDataException($"\"version\" must be {formatVersion} (version 1, the memory dataplane's format before this release, is not migrated)");
        }

        if (!root.TryGetProperty("generation", out var g) || !g.TryGetInt64(out var generation) || generation < 0)
        {
            throw new InvalidDataException("\"generation\" must be a non-negative integer");
        }

        foreach (var (kind, array) in Arrays)
        {
            if (!root.TryGetProperty(array, out var values) || values.ValueKind != JsonValueKind.Array)
            {
                throw new InvalidDataException($"\"{array}\" must be an array");
            }

            foreach (var value in values.EnumerateArray())
            {
                Put(kind, IdOf(value), value);
            }
        }

        if (root.TryGetProperty("extensions", out var extensions))
        {
            foreach (var kind in extensions.EnumerateObject())
            {
                foreach (var value in kind.Value.EnumerateObject())
                {
                    Put(kind.Name, Guid.Parse(value.Name), value.Value);
                }
            }
        }

        return generation;
    }

    /// <summary>Applies one log line: <c>{"changes":[{"kind":…,"id":…,"object":{…} or null}, …]}</c>, all or nothing.</summary>
    public void ApplyLine(ReadOnlyMemory<byte> line)
    {
        using var document = JsonDocument.Parse(line);
        if (document.RootElement.ValueKind != JsonValueKind.Object
            || !document.RootElement.TryGetProperty("changes", out var changes) || changes.ValueKind != JsonValueKind.Array)
        {
            throw new InvalidDataException("a record needs a \"changes\" array");
        }

        // Validated as a whole first, so a bad line changes nothing.
        var parsed = new List<(string Kind, Guid Id, JsonElement? Value)>();
        foreach (var change in changes.EnumerateArray())
        {
            if (change.ValueKind != JsonValueKind.Object
                || !change.TryGetProperty("kind", out var kind) || kind.GetString() is not { Length: > 0 } kindName
                || !change.TryGetProperty("id", out var id) || !id.TryGetGuid(out var guid)
                || !change.TryGetProperty("object", out var value) || value.ValueKind is not (JsonValueKind.Object or JsonValueKind.Null))
            {
                throw new InvalidDataException("a change needs \"kind\", \"id\" and \"object\" (an object, or null for a delete)");
            }

            parsed.Add((kindName, guid, value.ValueKind == JsonValueKind.Null ? null : value));
        }

        foreach (var (kind, id, value) in parsed)
        {
            if (value is { } v)
            {
                Put(kind, id, v);
            }
            else
            {
                Remove(kind, id);
            }
        }
    }

    /// <summary>Sets one object (deserialized now, so a bad document fails the load that read it).</summary>
    public void Put(string kind, Guid id, JsonElement value)
    {
        switch (kind)
        {
            case MemoryHcnStore.NetworkKind:
                Networks[id] = Read<HostComputeNetwork>(value);
                break;
            case MemoryHcnStore.EndpointKind:
                Endpoints[id] = Read<HostComputeEndpoint>(value);
                break;
            case MemoryHcnStore.NamespaceKind:
                Namespaces[id] = Read<HostComputeNamespace>(value);
                break;
            case MemoryHcnStore.LoadBalancerKind:
                LoadBalancers[id] = Read<HostComputeLoadBalancer>(value);
                break;
            case MemoryHcnStore.SdnRouteKind:
                SdnRoutes[id] = Read<HostComputeRoute>(value);
                break;
            default:
                if (!Extensions.TryGetValue(kind, out var objects))
                {
                    Extensions[kind] = objects = [];
                }

                objects[id] = value.Clone();
                break;
        }
    }

    private void Remove(string kind, Guid id)
    {
        _ = kind switch
        {
            MemoryHcnStore.NetworkKind => Networks.Remove(id),
            MemoryHcnStore.EndpointKind => Endpoints.Remove(id),
            MemoryHcnStore.NamespaceKind => Namespaces.Remove(id),
            MemoryHcnStore.LoadBalancerKind => LoadBalancers.Remove(id),
            MemoryHcnStore.SdnRouteKind => SdnRoutes.Remove(id),
            _ => Extensions.TryGetValue(kind, out var objects) && objects.Remove(id),
        };
    }

    private static Guid IdOf(JsonElement value) =>
        value.ValueKind == JsonValueKind.Object && value.TryGetProperty("ID", out var id) && id.TryGetGuid(out var guid)
            ? guid
            : throw new InvalidDataException("an object without an \"ID\"");

    private static T Read<T>(JsonElement value)
        where T : class => HcnJson.Deserialize<T>(value) ?? throw new InvalidDataException("an object is null");
}
