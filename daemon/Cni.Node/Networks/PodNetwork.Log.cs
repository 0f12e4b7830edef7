using Microsoft.Extensions.Logging;

namespace Cni.Node.Networks;

public sealed partial class PodNetwork
{
    private static partial class Log
    {
        [LoggerMessage(EventId = 2101, Level = LogLevel.Information, Message = "Node network {NetworkName} {Action} ({NetworkId})")]
        public static partial void NetworkEnsured(ILogger logger, string networkName, Guid networkId, NetworkAction action);

        [LoggerMessage(EventId = 2102, Level = LogLevel.Warning, Message = "Node not ready: {Reason}")]
        public static partial void NotReady(ILogger logger, string reason);

        [LoggerMessage(EventId = 2103, Level = LogLevel.Error, Message = "HCN network {NetworkName} ({NetworkId}) differs from the config ({Differences}) and has {EndpointCount} endpoints; left alone")]
        public static partial void NetworkConflict(ILogger logger, string networkName, Guid networkId, string differences, int endpointCount);

        [LoggerMessage(EventId = 2104, Level = LogLevel.Error, Message = "Ensuring HCN network {NetworkName} failed")]
        public static partial void EnsureFailed(ILogger logger, Exception exception, string networkName);

        [LoggerMessage(EventId = 2105, Level = LogLevel.Warning, Message = "HCN network {NetworkName} is gone: {Detail}")]
        public static partial void NetworkMissing(ILogger logger, string networkName, string detail);

        [LoggerMessage(EventId = 2106, Level = LogLevel.Information, Message = "Deleted endpoint {EndpointName} ({EndpointId}): it has no IPAM lease")]
        public static partial void OrphanEndpointDeleted(ILogger logger, string endpointName, Guid endpointId);

        [LoggerMessage(EventId = 2107, Level = LogLevel.Information, Message = "Released lease {ContainerId}/{IfName} ({Addresses}): it has no endpoint")]
        public static partial void OrphanLeaseReleased(ILogger logger, string containerId, string ifName, string addresses);

        [LoggerMessage(EventId = 2108, Level = LogLevel.Information, Message = "Reconciled network {NetworkName}: {Released} leases released, {Deleted} endpoints deleted, {Kept} attachments kept, {Foreign} foreign endpoints, {Errors} errors")]
        public static partial void Reconciled(ILogger logger, string networkName, int released, int deleted, int kept, int foreign, int errors);

        [LoggerMessage(EventId = 2110, Level = LogLevel.Information, Message = "Host endpoint {EndpointName} ({EndpointId}) holds {Addresses} in the host's default namespace")]
        public static partial void HostEndpointEnsured(ILogger logger, string endpointName, Guid endpointId, string addresses);

        [LoggerMessage(EventId = 2111, Level = LogLevel.Warning, Message = "Repaired the attachment of endpoint {EndpointName} ({EndpointId}), which the dataplane had not as recorded: {Problems}")]
        public static partial void AttachmentRepaired(ILogger logger, string endpointName, Guid endpointId, string problems);

        [LoggerMessage(EventId = 2112, Level = LogLevel.Error, Message = "The attachment of endpoint {EndpointName} ({EndpointId}) is broken and could not be repaired: {Problems}; delete and re-create the pod")]
        public static partial void AttachmentBroken(ILogger logger, string endpointName, Guid endpointId, string problems);

        [LoggerMessage(EventId = 2120, Level = LogLevel.Information, Message = "HNS {Version} has no HostRoute policy (needs {Required}); network {NetworkName} gets none, so the host cannot reach its own pods through it")]
        public static partial void HostRouteSkipped(ILogger logger, string networkName, string version, string required);

        [LoggerMessage(EventId = 2121, Level = LogLevel.Warning, Message = "HNS refused the HostRoute policy on network {NetworkName}; the host cannot reach its own pods through it (flannel carries on the same way)")]
        public static partial void HostRouteRefused(ILogger logger, Exception exception, string networkName);

        [LoggerMessage(EventId = 2122, Level = LogLevel.Warning, Message = "HNS gave network {NetworkName} the provider address {ProviderAddress}, not the node IP {NodeIp} the node publishes; peers send VXLAN to the node IP")]
        public static partial void ProviderAddressIsNotNodeIp(ILogger logger, string networkName, string providerAddress, string nodeIp);

        [LoggerMessage(EventId = 2123, Level = LogLevel.Information, Message = "IP forwarding ({Family}) turned on for host interface #{InterfaceIndex}")]
        public static partial void ForwardingEnabled(ILogger logger, int interfaceIndex, string family);

        [LoggerMessage(EventId = 2113, Level = LogLevel.Warning, Message = "Finished the rollback of a failed ADD {ContainerId}/{IfName}: its endpoint is gone and {Addresses} are free again")]
        public static partial void AbandonedReservationReleased(ILogger logger, string containerId, string ifName, string addresses);

        [LoggerMessage(EventId = 2109, Level = LogLevel.Error, Message = "Reconciling network {NetworkName} failed")]
        public static partial void ReconcileFailed(ILogger logger, Exception exception, string networkName);
    }
}
