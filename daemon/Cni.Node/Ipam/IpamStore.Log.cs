using Microsoft.Extensions.Logging;

namespace Cni.Node.Ipam;

public sealed partial class IpamStore
{
    private static partial class Log
    {
        [LoggerMessage(EventId = 4001, Level = LogLevel.Information, Message = "Allocated {Addresses} to {ContainerId}/{IfName} on network {NetworkName}")]
        public static partial void LeaseAllocated(ILogger logger, string containerId, string ifName, string addresses, string networkName);

        [LoggerMessage(EventId = 4002, Level = LogLevel.Information, Message = "Released {Addresses} of {ContainerId}/{IfName}; quarantined until {QuarantineUntil}")]
        public static partial void LeaseReleased(ILogger logger, string containerId, string ifName, string addresses, DateTimeOffset quarantineUntil);

        [LoggerMessage(EventId = 4003, Level = LogLevel.Warning, Message = "IP pool {Cidr} is exhausted ({Leased} leased, {Quarantined} quarantined)")]
        public static partial void PoolExhausted(ILogger logger, string cidr, int leased, int quarantined);

        [LoggerMessage(EventId = 4004, Level = LogLevel.Error, Message = "Allocation of {Addresses} for {ContainerId}/{IfName} abandoned: the journal write failed; the addresses stay held until the ADD's rollback releases them")]
        public static partial void AllocationAbandoned(ILogger logger, Exception exception, string containerId, string ifName, string addresses);

        [LoggerMessage(EventId = 4005, Level = LogLevel.Warning, Message = "Recovered lease {ContainerId}/{IfName} holds {Address}, which does not fit the current pools ({Reason}); kept until DEL or GC releases it")]
        public static partial void StaleLease(ILogger logger, string containerId, string ifName, string address, StaleLeaseReason reason);

        [LoggerMessage(EventId = 4006, Level = LogLevel.Information, Message = "Opened IPAM state {Directory}: {LeaseCount} leases, {QuarantinedCount} quarantined addresses, pools {Pools}")]
        public static partial void Opened(ILogger logger, string directory, int leaseCount, int quarantinedCount, string pools);

        [LoggerMessage(EventId = 4008, Level = LogLevel.Warning, Message = "IP pool {Cidr} has no free address: {Address}, quarantined until {QuarantineUntil}, is reused early for {ContainerId}/{IfName}")]
        public static partial void QuarantineReclaimed(ILogger logger, string address, string cidr, DateTimeOffset quarantineUntil, string containerId, string ifName);

        [LoggerMessage(EventId = 4007, Level = LogLevel.Information, Message = "GC released {Count} leases of network {NetworkName}")]
        public static partial void GarbageCollected(ILogger logger, int count, string networkName);
    }
}
