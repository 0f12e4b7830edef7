using Microsoft.Extensions.Logging;

namespace Cni.Node.Pods;

public sealed partial class CniCommandHandler
{
    private static partial class Log
    {
        [LoggerMessage(EventId = 5101, Level = LogLevel.Information, Message = "ADD {ContainerId}/{IfName}: endpoint {EndpointId} with {Addresses}")]
        public static partial void Added(ILogger logger, string containerId, string ifName, Guid endpointId, string addresses);

        [LoggerMessage(EventId = 5102, Level = LogLevel.Debug, Message = "ADD {ContainerId}/{IfName} repeated: endpoint {EndpointId} is intact, same result")]
        public static partial void AddRepeated(ILogger logger, string containerId, string ifName, Guid endpointId);

        [LoggerMessage(EventId = 5103, Level = LogLevel.Warning, Message = "ADD replaces stale endpoint {EndpointName} ({EndpointId})")]
        public static partial void StaleEndpointReplaced(ILogger logger, string endpointName, Guid endpointId);

        [LoggerMessage(EventId = 5104, Level = LogLevel.Warning, Message = "ADD {ContainerId}/{IfName} failed; rolling back")]
        public static partial void AddRollingBack(ILogger logger, Exception exception, string containerId, string ifName);

        [LoggerMessage(EventId = 5105, Level = LogLevel.Error, Message = "Rollback step '{Step}' of {ContainerId}/{IfName} failed; reconciliation or DEL will finish it")]
        public static partial void RollbackStepFailed(ILogger logger, Exception exception, string step, string containerId, string ifName);

        [LoggerMessage(EventId = 5106, Level = LogLevel.Information, Message = "DEL {ContainerId}/{IfName}: {EndpointCount} endpoint(s) deleted, lease released: {LeaseReleased}")]
        public static partial void Deleted(ILogger logger, string containerId, string ifName, int endpointCount, bool leaseReleased);

        [LoggerMessage(EventId = 5107, Level = LogLevel.Warning, Message = "Releasing namespace of netns {Netns} failed")]
        public static partial void NamespaceReleaseFailed(ILogger logger, Exception exception, string netns);

        [LoggerMessage(EventId = 5108, Level = LogLevel.Information, Message = "GC of network {NetworkName}: {EndpointsDeleted} endpoints deleted, {LeasesReleased} leases released, {Errors} errors")]
        public static partial void GarbageCollected(ILogger logger, string networkName, int endpointsDeleted, int leasesReleased, int errors);

        [LoggerMessage(EventId = 5109, Level = LogLevel.Warning, Message = "CNI {Command} {ContainerId}/{IfName} failed with code {Code}: {Message}")]
        public static partial void CommandFailed(ILogger logger, string command, string containerId, string ifName, int code, string message);
    }
}
