using Microsoft.Extensions.Logging;

namespace Cni.Node.Kubernetes.Events;

public sealed partial class KubernetesEventRecorder
{
    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "could not post the {Reason} Event on {Kind} {Name}: {Error}")]
        public static partial void PostFailed(ILogger logger, string reason, string kind, string name, string error);

        [LoggerMessage(Level = LogLevel.Debug, Message = "posted the {Reason} Event on {Kind} {Name}")]
        public static partial void Posted(ILogger logger, string reason, string kind, string name);

        [LoggerMessage(Level = LogLevel.Warning, Message = "dropped the {Reason} Event on {Kind} {Name}: {Capacity} Events are waiting already")]
        public static partial void Dropped(ILogger logger, string reason, string kind, string name, int capacity);
    }
}
