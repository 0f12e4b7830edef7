using Cni.Hcn.Errors;
using Cni.Hcn.Kernel.Layout;
using Cni.Hcn.Kernel.Namespaces;
using Cni.Hcn.Kernel.Netlink;
using Cni.Hcn.Kernel.State;
using Cni.Hcn.Model;
using Cni.Hcn.Model.Requests;

namespace Cni.Hcn.Kernel;

/// <summary>Namespaces: a netns each; attach and detach move the endpoint's interface in and out.</summary>
public sealed partial class KernelHcn
{
    /// <summary>
    /// Creates a namespace. A <c>Container</c> resource whose ID is an absolute path (a runtime's netns, e.g.
    /// CNI_NETNS) binds the namespace to that existing netns, which KernelHcn never deletes; <c>HostDefault</c> is the
    /// host namespace; any other namespace gets a netns of its own under <see cref="KernelHcnOptions.NetnsDirectory"/>.
    /// </summary>
    /// <inheritdoc/>
    public async Task<HostComputeNamespace> CreateNamespaceAsync(HostComputeNamespace hostComputeNamespace, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(hostComputeNamespace);
        var id = hostComputeNamespace.Id == Guid.Empty ? Guid.NewGuid() : hostComputeNamespace.Id;
        // Until this change is real in the kernel, the objects it changes are not written by other commits.
        using var changes = _store.HoldBack();
        var started = TimeProvider.System.GetTimestamp();
        var held = await EnterSharedAsync([id], cancellationToken).ConfigureAwait(false);
        var entered = TimeProvider.System.GetTimestamp();
        try
        {
            var adopted = (hostComputeNamespace.Resources ?? [])
                .FirstOrDefault(r => r.Type == NamespaceResourceType.Container && Path.IsPathRooted(r.Data.Id))?.Data.Id;
            var created = await _objects.CreateNamespaceAsync(hostComputeNamespace with { Id = id, Resources = null }, cancellationToken).ConfigureAwait(false);
            var binding = created.Type == NamespaceType.HostDefault ? new NamespaceBinding(HostNetnsPath, Owned: false, IsHost: true)
                : adopted is not null ? new NamespaceBinding(adopted, Owned: false, IsHost: false)
                : new NamespaceBinding(Path.Combine(_options.NetnsDirectory, _options.NetnsNamePrefix + id.ToString("N")), Owned: true, IsHost: false);
            try
            {
                if (binding.Owned)
                {
                    NetnsFiles.Create(binding.Path);
                    NetnsThread.Run(binding.Path, () =>
                    {
                        using var pod = RtnetlinkClient.Open();
                        if (pod.GetLink("lo") is { } lo)
                        {
                            pod.SetLink(lo.Index, new LinkChange { Up = true });
                        }
                    });
                }
                else if (!binding.IsHost && !File.Exists(binding.Path))
                {
                    throw new NetnsException($"network namespace {binding.Path} does not exist", Interop.Errno.Enoent);
                }

                _bindings[id] = binding;
                _store.MarkChanged(BindingsKind, id);
                if (adopted is not null)
                {
                    created = await _objects.ModifyNamespaceAsync(id, ModifyNamespaceSettingRequest.ForContainer(RequestType.Add, adopted), cancellationToken)
                        .ConfigureAwait(false);
                }

                await CommitAsync(cancellationToken, nftables: false).ConfigureAwait(false);
            }
            catch (Exception ex) when (IsKernelFailure(ex))
            {
                _bindings.TryRemove(id, out _);
                _store.MarkChanged(BindingsKind, id);
                if (binding.Owned)
                {
                    TryKernel("namespace", id, () => NetnsFiles.Delete(binding.Path));
                }

                await _objects.DeleteNamespaceAsync(id, CancellationToken.None).ConfigureAwait(false);
                throw KernelFailure("HcnCreateNamespace", ex, HcnErrorCodes.InvalidParameter);
            }

            return created;
        }
        finally
        {
            held.Dispose();
            Timed("HcnCreateNamespace", id, started, entered);
        }
    }

    /// <inheritdoc/>
    public Task<HostComputeNamespace> GetNamespaceAsync(Guid namespaceId, CancellationToken cancellationToken) =>
        ReadAsync(() => _objects.GetNamespaceAsync(namespaceId, cancellationToken), cancellationToken);

    /// <inheritdoc/>
    public Task<IReadOnlyList<HostComputeNamespace>> EnumerateNamespacesAsync(HostComputeQuery? query, CancellationToken cancellationToken) =>
        ReadAsync(() => _objects.EnumerateNamespacesAsync(query, cancellationToken), cancellationToken);

    /// <inheritdoc/>
    public async Task<HostComputeNamespace> ModifyNamespaceAsync(Guid namespaceId, ModifyNamespaceSettingRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var attaching = request.ResourceType == NamespaceResourceType.Endpoint ? request.GetEndpointRequest()?.EndpointId : null;
        // Until this change is real in the kernel, the objects it changes are not written by other commits.
        using var changes = _store.HoldBack();
        var started = TimeProvider.System.GetTimestamp();
        var held = await EnterSharedAsync([namespaceId, attaching ?? Guid.Empty], cancellationToken).ConfigureAwait(false);
        var entered = TimeProvider.System.GetTimestamp();
        try
        {
            var modified = await _objects.ModifyNamespaceAsync(namespaceId, request, cancellationToken).ConfigureAwait(false);
            if (request.ResourceType != NamespaceResourceType.Endpoint || request.GetEndpointRequest()?.EndpointId is not { } endpointId)
            {
                await CommitAsync(cancellationToken, nftables: false).ConfigureAwait(false);
                return modified;
            }

            var endpoint = await _objects.GetEndpointAsync(endpointId, cancellationToken).ConfigureAwait(false);
            var binding = _bindings[namespaceId];
            if (request.RequestType == RequestType.Add)
            {
                try
                {
                    var network = await _objects.GetNetworkAsync(endpoint.HostComputeNetwork, cancellationToken).ConfigureAwait(false);
                    AttachEndpoint(endpoint, binding, NetworkLayout.From(network));

                    // A host vNIC is one of its network's ingress interfaces (the subnet-wide masquerade rule names it).
                    await CommitAsync(cancellationToken, nftables: binding.IsHost, servicesUnaffected: true).ConfigureAwait(false);
                }
                catch (Exception ex) when (IsKernelFailure(ex))
                {
                    await _objects.ModifyNamespaceAsync(namespaceId, ModifyNamespaceSettingRequest.ForEndpoint(RequestType.Remove, endpointId), CancellationToken.None)
                        .ConfigureAwait(false);
                    throw KernelFailure($"HcnModifyNamespace {namespaceId:D} (attach endpoint {endpointId:D})", ex, HcnErrorCodes.NamespaceAttachFailed);
                }
            }
            else if (request.RequestType == RequestType.Remove)
            {
                // The object is detached whatever the kernel says (a pod's netns may already be gone).
                TryKernel("endpoint", endpointId, () => DetachEndpoint(endpoint, binding));
                await CommitAsync(cancellationToken, nftables: binding.IsHost, servicesUnaffected: true).ConfigureAwait(false);
            }

            return modified;
        }
        finally
        {
            held.Dispose();
            Timed("HcnModifyNamespace", namespaceId, started, entered);
        }
    }

    /// <inheritdoc/>
    public async Task DeleteNamespaceAsync(Guid namespaceId, CancellationToken cancellationToken)
    {
        // The namespace and every endpoint attached to it are locked together (in stripe order, so never against an
        // attach); if the attachments changed while waiting, lock again.
        // Until this change is real in the kernel, the objects it changes are not written by other commits.
        using var changes = _store.HoldBack();
        var started = TimeProvider.System.GetTimestamp();
        var attached = await AttachedEndpointsAsync(namespaceId, cancellationToken).ConfigureAwait(false);
        var held = await EnterSharedAsync([namespaceId, .. attached], cancellationToken).ConfigureAwait(false);
        var entered = TimeProvider.System.GetTimestamp();
        try
        {
            var now = await AttachedEndpointsAsync(namespaceId, cancellationToken).ConfigureAwait(false);
            while (!now.SetEquals(attached))
            {
                held.Dispose();
                attached = now;
                held = await EnterSharedAsync([namespaceId, .. attached], cancellationToken).ConfigureAwait(false);
                now = await AttachedEndpointsAsync(namespaceId, cancellationToken).ConfigureAwait(false);
            }

            var ns = await _objects.GetNamespaceAsync(namespaceId, cancellationToken).ConfigureAwait(false);
            var binding = _bindings[namespaceId];

            // Attached endpoints are detached, not deleted (IHcn contract): their interfaces come back to the host.
            foreach (var endpointId in (ns.Resources ?? []).Select(r => r.GetEndpointId()).OfType<Guid>())
            {
                var endpoint = await _objects.GetEndpointAsync(endpointId, cancellationToken).ConfigureAwait(false);
                TryKernel("endpoint", endpointId, () => DetachEndpoint(endpoint, binding));
            }

            await _objects.DeleteNamespaceAsync(namespaceId, cancellationToken).ConfigureAwait(false);
            _bindings.TryRemove(namespaceId, out _);
            _store.MarkChanged(BindingsKind, namespaceId);
            if (binding.Owned)
            {
                TryKernel("namespace", namespaceId, () => NetnsFiles.Delete(binding.Path));
            }

            await CommitAsync(CancellationToken.None, nftables: false).ConfigureAwait(false);
        }
        finally
        {
            held.Dispose();
            Timed("HcnDeleteNamespace", namespaceId, started, entered);
        }
    }

    /// <summary>The endpoints attached to a namespace (empty when it does not exist: the caller's next step reports that).</summary>
    private async Task<HashSet<Guid>> AttachedEndpointsAsync(Guid namespaceId, CancellationToken cancellationToken)
    {
        await EnsureStartedAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var ns = await _objects.GetNamespaceAsync(namespaceId, cancellationToken).ConfigureAwait(false);
            return [.. (ns.Resources ?? []).Select(r => r.GetEndpointId()).OfType<Guid>()];
        }
        catch (Errors.HcnException ex) when (ex.IsNotFound)
        {
            return [];
        }
    }
}
