using Microsoft.Extensions.Logging;

namespace Cni.Node.Kubernetes.Controllers;

public sealed partial class ControllerRunner<TKey>
{
    private static partial class Log
    {
        [LoggerMessage(EventId = 2721, Level = LogLevel.Information, Message = "Controller {Controller}: waiting for caches {Caches} to sync")]
        public static partial void WaitingForCaches(ILogger logger, string controller, string caches);

        [LoggerMessage(EventId = 2722, Level = LogLevel.Information, Message = "Controller {Controller}: caches synced, starting {Workers} workers")]
        public static partial void Started(ILogger logger, string controller, int workers);

        [LoggerMessage(EventId = 2723, Level = LogLevel.Warning, Message = "Controller {Controller}: reconciling {Key} failed (retry {Retry} in {Delay})")]
        public static partial void ReconcileFailed(ILogger logger, Exception exception, string controller, string key, int retry, TimeSpan delay);

        [LoggerMessage(EventId = 2724, Level = LogLevel.Information, Message = "Controller {Controller}: stopped")]
        public static partial void Stopped(ILogger logger, string controller);

        [LoggerMessage(EventId = 2725, Level = LogLevel.Error, Message = "Controller {Controller}: listing keys for the resync failed")]
        public static partial void ResyncFailed(ILogger logger, Exception exception, string controller);
    }
}
