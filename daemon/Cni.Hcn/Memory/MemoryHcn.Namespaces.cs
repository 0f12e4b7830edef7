using System.Text.Json;
using Cni.Hcn.Errors;
using Cni.Hcn.Model;
using Cni.Hcn.Model.Requests;

namespace Cni.Hcn.Memory;

/// <summary>Namespaces: compartments, one default namespace, and the endpoint attach/detach rules.</summary>
public sealed partial class MemoryHcn
{
    private static readonly HashSet<NamespaceType> KnownNamespaceTypes =
        [NamespaceType.Host, NamespaceType.HostDefault, NamespaceType.Guest, NamespaceType.GuestDefault];

    private readonly Dictionary<Guid, HostComputeNamespace> _namespaces = [];

    /// <summary>Compartment 1 is the host's default compartment; new namespaces get the next free number.</summary>
    private uint _nextCompartment = 2;

    /// <inheritdoc/>
    public async Task<HostComputeNamespace> CreateNamespaceAsync(HostComputeNamespace hostComputeNamespace, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(hostComputeNamespace);
        const string Operation = "HcnCreateNamespace";
        await _calls.EnterAsync(MemoryHcnOperation.CreateNamespace, Operation, cancellationToken).ConfigureAwait(false);
        var input = CopyIn(hostComputeNamespace, Operation);
        HostComputeNamespace stored;
        lock (_gate)
        {
            stored = CreateNamespaceLocked(input, Operation);
        }

        await PersistAsync().ConfigureAwait(false);
        return CopyOut(stored);
    }

    /// <inheritdoc/>
    public async Task<HostComputeNamespace> GetNamespaceAsync(Guid namespaceId, CancellationToken cancellationToken)
    {
        var operation = Describe("HcnOpenNamespace", namespaceId);
        await _calls.EnterAsync(MemoryHcnOperation.GetNamespace, operation, cancellationToken).ConfigureAwait(false);
        lock (_gate)
        {
            return CopyOut(FindNamespace(namespaceId, operation));
        }
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<HostComputeNamespace>> EnumerateNamespacesAsync(HostComputeQuery? query, CancellationToken cancellationToken)
    {
        await _calls.EnterAsync(MemoryHcnOperation.EnumerateNamespaces, "HcnEnumerateNamespaces", cancellationToken).ConfigureAwait(false);
        var filter = FilterOf(query);
        List<HostComputeNamespace> matches;
        lock (_gate)
        {
            matches = _namespaces.Values.Where(n => Matches(filter, n.Id)).ToList();
        }

        return CopyOut(matches);
    }

    /// <inheritdoc/>
    public async Task<HostComputeNamespace> ModifyNamespaceAsync(Guid namespaceId, ModifyNamespaceSettingRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var operation = Describe("HcnModifyNamespace", namespaceId);
        await _calls.EnterAsync(MemoryHcnOperation.ModifyNamespace, operation, cancellationToken).ConfigureAwait(false);
        var input = CopyIn(request, operation);
        HostComputeNamespace modified;
        lock (_gate)
        {
            var ns = FindNamespace(namespaceId, operation);
            modified = input.ResourceType == NamespaceResourceType.Endpoint
                ? ModifyNamespaceEndpointLocked(ns, input, operation)
                : input.ResourceType == NamespaceResourceType.Container
                    ? ModifyNamespaceContainerLocked(ns, input, operation)
                    : throw new HcnException(operation, HcnErrorCodes.RequestUnsupported, detail: $"ResourceType '{input.ResourceType}' is not supported");
            _namespaces[namespaceId] = modified;
            Changed(MemoryHcnStore.NamespaceKind, namespaceId);
        }

        await PersistAsync().ConfigureAwait(false);
        return CopyOut(modified);
    }

    /// <inheritdoc/>
    public async Task DeleteNamespaceAsync(Guid namespaceId, CancellationToken cancellationToken)
    {
        var operation = Describe("HcnDeleteNamespace", namespaceId);
        await _calls.EnterAsync(MemoryHcnOperation.DeleteNamespace, operation, cancellationToken).ConfigureAwait(false);
        lock (_gate)
        {
            var ns = FindNamespace(namespaceId, operation);

            // Attached endpoints are detached, not deleted (IHcn contract).
            foreach (var endpointId in (ns.Resources ?? []).Select(r => r.GetEndpointId()).OfType<Guid>())
            {
                if (_endpoints.TryGetValue(endpointId, out var endpoint))
                {
                    _endpoints[endpointId] = endpoint with { HostComputeNamespace = Guid.Empty };
                    Changed(MemoryHcnStore.EndpointKind, endpointId);
                }
            }

            _namespaces.Remove(namespaceId);
            Changed(MemoryHcnStore.NamespaceKind, namespaceId);
        }

        await PersistAsync().ConfigureAwait(false);
    }

    private HostComputeNamespace FindNamespace(Guid namespaceId, string operation) =>
        _namespaces.TryGetValue(namespaceId, out var ns)
            ? ns
            : throw new HcnException(operation, HcnErrorCodes.ElementNotFound, detail: $"no namespace {namespaceId:D}");

    private HostComputeNamespace CreateNamespaceLocked(HostComputeNamespace input, string operation)
    {
        if (!string.IsNullOrEmpty(input.Type.Value) && !KnownNamespaceTypes.Contains(input.Type))
        {
            throw new HcnException(operation, HcnErrorCodes.InvalidParameter, detail: $"'{input.Type}' is not a namespace type");
        }

        var isDefault = input.Type == NamespaceType.HostDefault;
        if (isDefault && _namespaces.Values.Any(n => n.Type == NamespaceType.HostDefault))
        {
            throw new HcnException(operation, HcnErrorCodes.GcnDefaultNamespaceExists, detail: "the host default namespace exists");
        }

        var id = input.Id == Guid.Empty ? Guid.NewGuid() : input.Id;
        if (_namespaces.ContainsKey(id))
        {
            throw new HcnException(operation, HcnErrorCodes.AlreadyExists, detail: $"a namespace with ID {id:D} exists");
        }

        var compartment = input.NamespaceId != 0 ? input.NamespaceId : isDefault ? 1u : _nextCompartment++;
        var ns = input with
        {
            Id = id,
            NamespaceId = compartment,
            Resources = null, // output only: what is attached
            SchemaVersion = input.SchemaVersion ?? SchemaVersion.V2,
        };
        _namespaces.Add(id, ns);
        Changed(MemoryHcnStore.NamespaceKind, id);
        return ns;
    }

    private HostComputeNamespace ModifyNamespaceEndpointLocked(HostComputeNamespace ns, ModifyNamespaceSettingRequest request, string operation)
    {
        NamespaceEndpointRequest? body;
        try
        {
            body = request.GetEndpointRequest();
        }
        catch (JsonException ex)
        {
            throw InvalidJson(operation, ex);
        }

        if (body is null || body.EndpointId == Guid.Empty)
        {
            throw new HcnException(operation, HcnErrorCodes.InvalidParameter, detail: "Settings.EndpointId is missing");
        }

        var endpoint = FindEndpoint(body.EndpointId, operation, reference: true);
        if (request.RequestType == RequestType.Add)
        {
            if (endpoint.Flags.HasFlag(EndpointFlags.RemoteEndpoint))
            {
                throw new HcnException(operation, HcnErrorCodes.InvalidRemoteEndpointOperation, detail: $"endpoint {endpoint.Id:D} is remote");
            }

            if (endpoint.HostComputeNamespace != Guid.Empty)
            {
                throw new HcnException(operation, HcnErrorCodes.EndpointNamespaceAlreadyExists,
                    detail: $"endpoint {endpoint.Id:D} is already attached to namespace {endpoint.HostComputeNamespace:D}");
            }

            _endpoints[endpoint.Id] = endpoint with { HostComputeNamespace = ns.Id };
            Changed(MemoryHcnStore.EndpointKind, endpoint.Id);
            return ns with { Resources = [.. ns.Resources ?? [], NamespaceResource.ForEndpoint(endpoint.Id)] };
        }

        if (request.RequestType == RequestType.Remove)
        {
            if (endpoint.HostComputeNamespace != ns.Id)
            {
                throw new HcnException(operation, HcnErrorCodes.EndpointNotAttached, detail: $"endpoint {endpoint.Id:D} is not attached to this namespace");
            }

            _endpoints[endpoint.Id] = endpoint with { HostComputeNamespace = Guid.Empty };
            Changed(MemoryHcnStore.EndpointKind, endpoint.Id);
            return WithoutEndpoint(ns, endpoint.Id);
        }

        throw new HcnException(operation, HcnErrorCodes.RequestUnsupported, detail: $"RequestType '{request.RequestType}' is not supported for endpoints");
    }

    private static HostComputeNamespace ModifyNamespaceContainerLocked(HostComputeNamespace ns, ModifyNamespaceSettingRequest request, string operation)
    {
        NamespaceContainerRequest? body;
        try
        {
            body = request.GetContainerRequest();
        }
        catch (JsonException ex)
        {
            throw InvalidJson(operation, ex);
        }

        if (string.IsNullOrWhiteSpace(body?.ContainerId))
        {
            throw new HcnException(operation, HcnErrorCodes.InvalidParameter, detail: "Settings.ContainerId is missing");
        }

        var resources = ns.Resources ?? [];
        var index = resources.ToList().FindIndex(r => r.Type == NamespaceResourceType.Container
            && string.Equals(r.Data.Id, body.ContainerId, StringComparison.OrdinalIgnoreCase));
        if (request.RequestType == RequestType.Add)
        {
            return index >= 0
                ? throw new HcnException(operation, HcnErrorCodes.AlreadyExists, detail: $"container {body.ContainerId} is already attached")
                : ns with { Resources = [.. resources, new NamespaceResource { Type = NamespaceResourceType.Container, Data = new() { Id = body.ContainerId } }] };
        }

        if (request.RequestType == RequestType.Remove)
        {
            return index < 0
                ? throw new HcnException(operation, HcnErrorCodes.ElementNotFound, detail: $"container {body.ContainerId} is not attached")
                : ns with { Resources = resources.Where((_, i) => i != index).ToList() is { Count: > 0 } rest ? rest : null };
        }

        throw new HcnException(operation, HcnErrorCodes.RequestUnsupported, detail: $"RequestType '{request.RequestType}' is not supported for containers");
    }

    private static HostComputeNamespace WithoutEndpoint(HostComputeNamespace ns, Guid endpointId)
    {
        var rest = (ns.Resources ?? []).Where(r => r.GetEndpointId() != endpointId).ToList();
        return ns with { Resources = rest.Count == 0 ? null : rest };
    }
}
