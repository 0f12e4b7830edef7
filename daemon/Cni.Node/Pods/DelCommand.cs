using Cni.Hcn;
using Cni.Hcn.Model;
using Cni.Node.Ipam;
using Cni.Spec;
using Microsoft.Extensions.Logging;

namespace Cni.Node.Pods;

/// <summary>
/// CNI DEL: endpoint first, lease and namespace after; "already gone" is success at every step. A DEL for another
/// network succeeds without touching anything (ADD refuses foreign names, so nothing of theirs exists here).
/// </summary>
internal sealed partial class DelCommand(CniCommandContext context)
{
    public async Task<byte[]?> RunAsync(PluginRequest request, CancellationToken cancellationToken)
    {
        if (!context.IsOurNetwork(request))
        {
            return null;
        }

        var key = CniCommandContext.KeyOf(request);
        var endpointName = CniCommandContext.EndpointNameOf(request);
        var step = CniStep.WaitingForAttachmentLock;
        try
        {
            using var held = await context.Locks.AcquireAsync(key, cancellationToken).ConfigureAwait(false);

            // Endpoint first: if it cannot be deleted, the address stays leased and the DEL fails (the runtime retries).
            // Detached from its namespace before it is deleted, as windows-container-networking's DEL does.
            step = CniStep.LookingUpEndpoint;
            var endpoints = await context.Hcn.EnumerateEndpointsAsync(HostComputeQuery.ByName(endpointName), cancellationToken).ConfigureAwait(false);
            step = CniStep.DeletingEndpoint;
            foreach (var endpoint in endpoints)
            {
                await context.Hcn.DetachAndDeleteEndpointAsync(endpoint, cancellationToken).ConfigureAwait(false);
            }

            // containerd sends DEL without CNI_NETNS: the namespace to release is then the one the ADD recorded.
            step = CniStep.ReadingLease;
            NetnsReference? netns = request.NetnsReference.Kind != NetnsKind.Empty
                ? request.NetnsReference
                : await context.Ipam.GetAsync(key, cancellationToken).ConfigureAwait(false) is { Owner.Netns: { Length: > 0 } recorded }
                    ? NetnsReference.Classify(recorded)
                    : null;

            // The address and the namespace are independent once the endpoint is gone: release them side by side (the
            // journal's fsync and the namespace's own commit overlap instead of adding up). A namespace that cannot be
            // released fails the DEL, so the runtime's retry releases it instead of leaving it behind; when only the
            // lease knows the namespace (no CNI_NETNS), it goes first, so that retry still finds it in the lease.
            var fromLease = request.NetnsReference.Kind == NetnsKind.Empty;
            if (fromLease && netns is { Kind: not NetnsKind.Empty } recordedNetns)
            {
                step = CniStep.ReleasingNamespace;
                await context.Namespaces.ReleaseAsync(recordedNetns, cancellationToken).ConfigureAwait(false);
                netns = null;
            }

            step = CniStep.ReleasingLease;
            var namespaceRelease = netns is not { Kind: not NetnsKind.Empty } target
                ? Task.CompletedTask
                : Task.Run(() => context.Namespaces.ReleaseAsync(target, cancellationToken), CancellationToken.None);
            IpLease? released;
            try
            {
                released = await context.Ipam.ReleaseAsync(key, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                step = CniStep.ReleasingNamespace;
                await namespaceRelease.ConfigureAwait(false);
            }

            Log.Deleted(context.Logger, request.ContainerId, request.IfName, endpoints.Count, released is not null);
            return null;
        }
        catch (OperationCanceledException cancelled) when (cancellationToken.IsCancellationRequested)
        {
            throw new CniCommandCancelledException(step, cancelled);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 5106, Level = LogLevel.Information, Message = "DEL {ContainerId}/{IfName}: {EndpointCount} endpoint(s) deleted, lease released: {LeaseReleased}")]
        public static partial void Deleted(ILogger logger, string containerId, string ifName, int endpointCount, bool leaseReleased);
    }
}
