using Microsoft.Extensions.Logging;

namespace Cni.Node.Kubernetes.Cache;

public sealed partial class ResourceCache<T>
{
    private static partial class Log
    {
        [LoggerMessage(EventId = 2701, Level = LogLevel.Information, Message = "Cache {Resource}: listed {Count} objects at resourceVersion {ResourceVersion}")]
        public static partial void Listed(ILogger logger, string resource, int count, string resourceVersion);

        [LoggerMessage(EventId = 2702, Level = LogLevel.Warning, Message = "Cache {Resource}: list failed (attempt {Attempt}), retrying in {Delay}")]
        public static partial void ListFailed(ILogger logger, Exception exception, string resource, int attempt, TimeSpan delay);

        [LoggerMessage(EventId = 2703, Level = LogLevel.Warning, Message = "Cache {Resource}: watch failed (attempt {Attempt}), re-watching from {ResourceVersion} in {Delay}")]
        public static partial void WatchFailed(ILogger logger, Exception exception, string resource, int attempt, string resourceVersion, TimeSpan delay);

        [LoggerMessage(EventId = 2704, Level = LogLevel.Information, Message = "Cache {Resource}: resourceVersion {ResourceVersion} expired ({Detail}); relisting")]
        public static partial void Expired(ILogger logger, string resource, string resourceVersion, string detail);

        [LoggerMessage(EventId = 2705, Level = LogLevel.Warning, Message = "Cache {Resource}: watch idle for {IdleTimeout}, restarting it from {ResourceVersion}")]
        public static partial void WatchIdle(ILogger logger, string resource, TimeSpan idleTimeout, string resourceVersion);

        [LoggerMessage(EventId = 2706, Level = LogLevel.Error, Message = "Cache {Resource}: a change handler failed on {EventType} {Key}")]
        public static partial void HandlerFailed(ILogger logger, Exception exception, string resource, CacheEventType eventType, string key);

        [LoggerMessage(EventId = 2707, Level = LogLevel.Debug, Message = "Cache {Resource}: watch ended after {Events} events at {ResourceVersion}")]
        public static partial void WatchEnded(ILogger logger, string resource, int events, string resourceVersion);
    }
}
