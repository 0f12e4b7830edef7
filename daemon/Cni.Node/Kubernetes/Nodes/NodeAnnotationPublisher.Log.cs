using Microsoft.Extensions.Logging;

namespace Cni.Node.Kubernetes.Nodes;

public sealed partial class NodeAnnotationPublisher
{
    private static partial class Log
    {
        [LoggerMessage(EventId = 2741, Level = LogLevel.Information, Message = "Node {Node}: published {Keys}")]
        public static partial void Published(ILogger logger, string node, string keys);

        [LoggerMessage(EventId = 2742, Level = LogLevel.Debug, Message = "Node {Node}: annotations already current")]
        public static partial void Unchanged(ILogger logger, string node);

        [LoggerMessage(EventId = 2743, Level = LogLevel.Warning, Message = "Node {Node}: publishing annotations failed (attempt {Attempt} of {MaxAttempts})")]
        public static partial void Failed(ILogger logger, Exception exception, string node, int attempt, int maxAttempts);
    }
}
