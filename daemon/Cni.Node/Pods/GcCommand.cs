using Cni.Hcn;
using Cni.Hcn.Errors;
using Cni.Hcn.Model;
using Cni.Node.Ipam;
using Cni.Node.Networks;
using Cni.Spec;
using Microsoft.Extensions.Logging;

namespace Cni.Node.Pods;

/// <summary>
/// CNI GC: every endpoint and lease of this network not in cni.dev/valid-attachments goes; endpoint first, address
/// after, so a lease whose endpoint could not be deleted is kept. Absent lists mean "nothing to do", never
/// "everything is garbage" (containernetworking/cni SPEC.md, GC: only attachments missing from a list the runtime
/// sent are garbage).
/// </summary>
internal sealed partial class GcCommand(CniCommandContext context)
{
    public async Task<byte[]?> RunAsync(PluginRequest request, CancellationToken cancellationToken)
    {
        if (!context.IsOurNetwork(request) || request.Config.ValidAttachments is not { } valid)
        {
            return null;
        }

        var step = CniStep.QueryingNetwork;
        try
        {
            var name = request.Config.Name;
            var validNames = valid.Select(a => EndpointNames.For(name, a.ContainerId, a.IfName)).ToHashSet(StringComparer.Ordinal);
            var errors = new List<string>();
            var undeletable = new HashSet<string>(StringComparer.Ordinal);

            var networkId = context.Network.NetworkId
                ?? (await context.Hcn.FindNetworkByNameAsync(name, cancellationToken).ConfigureAwait(false))?.Id;

            var deleted = 0;
            if (networkId is { } id)
            {
                step = CniStep.ListingEndpoints;
                var endpoints = await context.Hcn.EnumerateEndpointsAsync(HostComputeQuery.EndpointsOfNetwork(id), cancellationToken).ConfigureAwait(false);
                step = CniStep.DeletingEndpoint;
                foreach (var endpoint in endpoints.Where(e => EndpointNames.IsOwned(e.Name, name) && !validNames.Contains(e.Name!)))
                {
                    try
                    {
                        await context.Hcn.DetachAndDeleteEndpointAsync(endpoint, cancellationToken).ConfigureAwait(false);
                        deleted++;
                    }
                    catch (HcnException ex)
                    {
                        undeletable.Add(endpoint.Name!);
                        errors.Add($"delete endpoint {endpoint.Name} ({endpoint.Id}): {ex.Message} [{ex.Facts}]");
                    }
                }
            }

            // Leases whose endpoint could not be deleted are kept: endpoint first, address after.
            step = CniStep.ReleasingLease;
            var leases = await context.Ipam.ListAsync(cancellationToken).ConfigureAwait(false);
            var keep = leases
                .Where(l => l.Owner.NetworkName == name && undeletable.Contains(EndpointNames.For(name, l.Key.ContainerId, l.Key.IfName)))
                .Select(l => l.Key)
                .Concat(valid.Select(TryKey).OfType<LeaseKey>())
                .ToList();
            var released = await context.Ipam.ReleaseAllExceptAsync(keep, name, cancellationToken).ConfigureAwait(false);

            step = CniStep.ReleasingNamespace;
            foreach (var lease in released.Where(l => l.Owner.Netns is not null))
            {
                await context.ReleaseNamespaceAsync(NetnsReference.Classify(lease.Owner.Netns), cancellationToken).ConfigureAwait(false);
            }

            Log.GarbageCollected(context.Logger, name, deleted, released.Count, errors.Count);
            if (errors.Count > 0)
            {
                throw new CniException(CniErrorCode.Internal, $"GC finished with {errors.Count} error(s); the rest was collected", string.Join("; ", errors));
            }

            return null;
        }
        catch (OperationCanceledException cancelled) when (cancellationToken.IsCancellationRequested)
        {
            throw new CniCommandCancelledException(step, cancelled);
        }
    }

    private static LeaseKey? TryKey(GcAttachment attachment)
    {
        try
        {
            return new LeaseKey(attachment.ContainerId, attachment.IfName);
        }
        catch (ArgumentException)
        {
            return null; // cannot name a lease, so it keeps nothing
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 5108, Level = LogLevel.Information, Message = "GC of network {NetworkName}: {EndpointsDeleted} endpoints deleted, {LeasesReleased} leases released, {Errors} errors")]
        public static partial void GarbageCollected(ILogger logger, string networkName, int endpointsDeleted, int leasesReleased, int errors);
    }
}
