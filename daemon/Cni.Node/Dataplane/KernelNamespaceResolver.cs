using Cni.Hcn;
using Cni.Hcn.Errors;
using Cni.Hcn.Model;
using Cni.Spec;

namespace Cni.Node.Dataplane;

/// <summary>
/// CNI_NETNS → HCN namespace for the kernel dataplane. The namespace ID is the one
/// <see cref="NetnsPathNamespaceResolver"/> derives from the path (so FindAsync and ReleaseAsync are its own), but the
/// namespace is created with a <c>Container</c> resource naming the path: that is how KernelHcn binds an HCN namespace
/// to the runtime's existing netns instead of making a netns of its own (the pod's interface must land in CNI_NETNS).
/// That resource also means "has resources" no longer means "in use": only attached endpoints keep a namespace.
/// </summary>
/// <remarks>
/// containerd's DEL comes with an empty CNI_NETNS once the task is gone, so the resolver never hears of the
/// <c>/proc/&lt;pid&gt;/ns/net</c> path again. Before a new namespace is created, namespaces with nothing attached whose
/// netns file has disappeared are deleted, so such leftovers do not accumulate.
/// </remarks>
public sealed class KernelNamespaceResolver : INamespaceResolver
{
    /// <summary>How often an ADD may sweep namespaces whose netns file is gone (an enumeration of every namespace).</summary>
    private static readonly TimeSpan OrphanSweepInterval = TimeSpan.FromSeconds(60);

    private readonly IHcn _hcn;
    private readonly NetnsPathNamespaceResolver _paths;
    private long _nextOrphanSweep;

    /// <summary>Creates the resolver.</summary>
    /// <param name="hcn">The (bounded) KernelHcn.</param>
    public KernelNamespaceResolver(IHcn hcn)
    {
        ArgumentNullException.ThrowIfNull(hcn);
        _hcn = hcn;
        _paths = new NetnsPathNamespaceResolver(hcn);
    }

    /// <inheritdoc/>
    public async Task<ResolvedNamespace> ResolveForAttachAsync(NetnsReference netns, CancellationToken cancellationToken)
    {
        if (netns.Kind is not (NetnsKind.Path or NetnsKind.Other))
        {
            return await _paths.ResolveForAttachAsync(netns, cancellationToken).ConfigureAwait(false);
        }

        if (!Path.IsPathFullyQualified(netns.Value))
        {
            throw new CniException(
                CniErrorCode.InvalidEnvironmentVariables,
                $"CNI_NETNS: '{netns.Raw}' is not an absolute path; the kernel dataplane needs the path of the pod's network namespace (e.g. /var/run/netns/<name> or /proc/<pid>/ns/net)");
        }

        if (!File.Exists(netns.Value))
        {
            // INamespaceResolver's contract: a namespace that does not exist on ADD is CNI 3 (the sandbox is gone).
            throw new CniException(CniErrorCode.UnknownContainer, $"CNI_NETNS: network namespace '{netns.Value}' does not exist (the pod sandbox is gone or the path is wrong)");
        }

        if (NetworkNamespaceFile.WhyNot(netns.Value) is { } what)
        {
            // The runtime saw a namespace there (its plugin checked); wincnid sees something else: mount propagation.
            throw new CniException(
                CniErrorCode.InvalidEnvironmentVariables,
                $"CNI_NETNS: '{netns.Value}' is not a network namespace as wincnid sees it ({what}); is {Path.GetDirectoryName(netns.Value)} propagated into wincnid's mount namespace?",
                "mount the runtime's netns directory into wincnid's container with mountPropagation: HostToContainer (rslave), or run wincnid in the host's mount namespace; nothing was changed");
        }

        var id = NetnsPathNamespaceResolver.IdForPath(netns.Value);
        if (await _paths.FindAsync(netns, cancellationToken).ConfigureAwait(false) is not null)
        {
            return new ResolvedNamespace(id, Created: false);
        }

        // Orphans (a pod's netns removed without DEL) are garbage, not a conflict: a namespace found for this path
        // was reused above. Sweeping them lists every namespace, so it happens at most once a minute, not per ADD.
        var now = Environment.TickCount64;
        var due = Interlocked.Read(ref _nextOrphanSweep);
        if (now >= due && Interlocked.CompareExchange(ref _nextOrphanSweep, now + (long)OrphanSweepInterval.TotalMilliseconds, due) == due)
        {
            await DeleteOrphansAsync(cancellationToken).ConfigureAwait(false);
        }

        try
        {
            var created = await _hcn.CreateNamespaceAsync(
                new HostComputeNamespace
                {
                    Id = id,
                    Type = NamespaceType.Host,
                    Resources = [new NamespaceResource { Type = NamespaceResourceType.Container, Data = new() { Id = netns.Value } }],
                },
                cancellationToken).ConfigureAwait(false);
            return new ResolvedNamespace(created.Id, Created: true);
        }
        catch (HcnException ex) when (ex.IsAlreadyExists)
        {
            // A concurrent ADD of another interface in the same netns created it first.
            return new ResolvedNamespace(id, Created: false);
        }
    }

    /// <inheritdoc/>
    public Task<Guid?> FindAsync(NetnsReference netns, CancellationToken cancellationToken) => _paths.FindAsync(netns, cancellationToken);

    /// <inheritdoc/>
    public async Task ReleaseAsync(NetnsReference netns, CancellationToken cancellationToken)
    {
        if (netns.Kind is not (NetnsKind.Path or NetnsKind.Other))
        {
            return;
        }

        try
        {
            // The Container resource is the binding itself; only endpoints keep the namespace alive.
            var ns = await _hcn.GetNamespaceAsync(NetnsPathNamespaceResolver.IdForPath(netns.Value), cancellationToken).ConfigureAwait(false);
            if (!HasEndpoints(ns))
            {
                await _hcn.DeleteNamespaceAsync(ns.Id, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (HcnException ex) when (ex.IsNotFound)
        {
            // Already gone: the goal of the release.
        }
    }

    private static bool HasEndpoints(HostComputeNamespace ns) => (ns.Resources ?? []).Any(r => r.Type == NamespaceResourceType.Endpoint);

    /// <summary>Deletes path-bound namespaces with no endpoint whose netns file is gone (a DEL without CNI_NETNS).</summary>
    private async Task DeleteOrphansAsync(CancellationToken cancellationToken)
    {
        var namespaces = await _hcn.EnumerateNamespacesAsync(null, cancellationToken).ConfigureAwait(false);
        foreach (var ns in namespaces)
        {
            var resources = ns.Resources ?? [];
            if (HasEndpoints(ns)
                || resources.FirstOrDefault(r => r.Type == NamespaceResourceType.Container)?.Data.Id is not { } path
                || !Path.IsPathFullyQualified(path)
                || ns.Id != NetnsPathNamespaceResolver.IdForPath(path)
                || File.Exists(path))
            {
                continue;
            }

            try
            {
                await _hcn.DeleteNamespaceAsync(ns.Id, cancellationToken).ConfigureAwait(false);
            }
            catch (HcnException ex) when (ex.IsNotFound)
            {
                // Someone else removed it first.
            }
        }
    }
}
