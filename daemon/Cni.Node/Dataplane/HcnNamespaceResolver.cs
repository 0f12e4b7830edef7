using Cni.Spec;

namespace Cni.Node.Dataplane;

/// <summary>
/// Windows: CNI_NETNS is the GUID of the HCN namespace containerd created (containerd's CRI plugin creates an empty
/// HostComputeNamespace through hcsshim hcn/hcnnamespace.go and passes its ID, without braces). No HCN call is made to
/// resolve it; a namespace that does not exist surfaces when the endpoint is attached (ERROR_NOT_FOUND → CNI 3).
/// </summary>
public sealed class HcnNamespaceResolver : INamespaceResolver
{
    /// <inheritdoc/>
    public Task<ResolvedNamespace> ResolveForAttachAsync(NetnsReference netns, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(new ResolvedNamespace(RequireGuid(netns), Created: false));
    }

    /// <inheritdoc/>
    public Task<Guid?> FindAsync(NetnsReference netns, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(netns.Kind == NetnsKind.Empty ? null : (Guid?)RequireGuid(netns));
    }

    /// <inheritdoc/>
    public Task ReleaseAsync(NetnsReference netns, CancellationToken cancellationToken) => Task.CompletedTask;

    internal static Guid RequireGuid(NetnsReference netns) => netns.Kind switch
    {
        NetnsKind.HcnNamespace => netns.HcnNamespaceId!.Value,
        NetnsKind.Empty => throw new CniException(CniErrorCode.InvalidEnvironmentVariables, "CNI_NETNS: is empty; ADD and CHECK need the pod's network namespace"),
        NetnsKind.None or NetnsKind.Container => throw new CniException(
            CniErrorCode.InvalidEnvironmentVariables,
            $"CNI_NETNS: '{netns.Raw}' is a dockershim-era reference; wincni needs the HCN namespace GUID that containerd creates",
            "use containerd ≥ 1.6 (the CRI passes an HCN namespace ID as the netns)"),
        _ => throw new CniException(
            CniErrorCode.InvalidEnvironmentVariables,
            $"CNI_NETNS: '{netns.Raw}' is not an HCN namespace GUID; the hcn dataplane attaches endpoints to the namespace containerd created",
            "on Linux nodes run wincnid with --dataplane kernel (or memory), which accept netns paths"),
    };
}
