using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Cni.Hcn;
using Cni.Hcn.Errors;
using Cni.Hcn.Model;
using Cni.Spec;

namespace Cni.Node.Dataplane;

/// <summary>
/// Dataplanes without HCN namespaces of their own (memory; kernel until it maps paths to real netns): a netns path
/// is the namespace's identity. Each path maps to a deterministic namespace ID (a name-based GUID of the path), so a
/// restarted daemon finds the same namespace again; the namespace is created on the first ADD and deleted by DEL once
/// nothing is attached. HCN GUIDs are accepted as on Windows (the namespace must exist).
/// </summary>
public sealed class NetnsPathNamespaceResolver : INamespaceResolver
{
    private readonly IHcn _hcn;

    // Where an IHcn assigns its own IDs instead of the requested one, the path → ID mapping is remembered here.
    private readonly ConcurrentDictionary<string, Guid> _assigned = new(StringComparer.Ordinal);

    /// <summary>Creates the resolver.</summary>
    /// <param name="hcn">The dataplane.</param>
    public NetnsPathNamespaceResolver(IHcn hcn)
    {
        ArgumentNullException.ThrowIfNull(hcn);
        _hcn = hcn;
    }

    /// <summary>The namespace ID a netns path maps to: a version-8 GUID from SHA-256 of the path.</summary>
    /// <param name="path">The netns path.</param>
    public static Guid IdForPath(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes("wincni/netns\0" + path), hash);
        var bytes = hash[..16];
        bytes[7] = (byte)((bytes[7] & 0x0F) | 0x80); // version 8 (custom), in Guid's little-endian field layout
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80); // RFC 4122 variant
        return new Guid(bytes);
    }

    /// <inheritdoc/>
    public async Task<ResolvedNamespace> ResolveForAttachAsync(NetnsReference netns, CancellationToken cancellationToken)
    {
        if (!IsPath(netns))
        {
            return new ResolvedNamespace(HcnNamespaceResolver.RequireGuid(netns), Created: false);
        }

        var id = IdOf(netns.Value);
        if (await ExistsAsync(id, cancellationToken).ConfigureAwait(false))
        {
            return new ResolvedNamespace(id, Created: false);
        }

        try
        {
            var created = await _hcn.CreateNamespaceAsync(new HostComputeNamespace { Id = id, Type = NamespaceType.Host }, cancellationToken).ConfigureAwait(false);
            if (created.Id != id)
            {
                _assigned[netns.Value] = created.Id;
            }

            return new ResolvedNamespace(created.Id, Created: true);
        }
        catch (HcnException ex) when (ex.IsAlreadyExists)
        {
            // A concurrent ADD of another interface in the same netns created it first.
            return new ResolvedNamespace(id, Created: false);
        }
    }

    /// <inheritdoc/>
    public async Task<Guid?> FindAsync(NetnsReference netns, CancellationToken cancellationToken)
    {
        if (netns.Kind == NetnsKind.Empty)
        {
            return null;
        }

        if (!IsPath(netns))
        {
            return HcnNamespaceResolver.RequireGuid(netns);
        }

        var id = IdOf(netns.Value);
        return await ExistsAsync(id, cancellationToken).ConfigureAwait(false) ? id : null;
    }

    /// <inheritdoc/>
    public async Task ReleaseAsync(NetnsReference netns, CancellationToken cancellationToken)
    {
        if (!IsPath(netns))
        {
            return;
        }

        var id = IdOf(netns.Value);
        try
        {
            var ns = await _hcn.GetNamespaceAsync(id, cancellationToken).ConfigureAwait(false);
            if (ns.Resources is { Count: > 0 })
            {
                return; // another interface of the pod is still attached
            }

            await _hcn.DeleteNamespaceAsync(id, cancellationToken).ConfigureAwait(false);
            _assigned.TryRemove(netns.Value, out _);
        }
        catch (HcnException ex) when (ex.IsNotFound)
        {
            _assigned.TryRemove(netns.Value, out _);
        }
    }

    private static bool IsPath(NetnsReference netns) => netns.Kind is NetnsKind.Path or NetnsKind.Other;

    private Guid IdOf(string path) => _assigned.TryGetValue(path, out var id) ? id : IdForPath(path);

    private async Task<bool> ExistsAsync(Guid id, CancellationToken cancellationToken)
    {
        try
        {
            await _hcn.GetNamespaceAsync(id, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (HcnException ex) when (ex.IsNotFound)
        {
            return false;
        }
    }
}
