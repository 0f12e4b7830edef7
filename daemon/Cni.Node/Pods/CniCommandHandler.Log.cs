using Microsoft.Extensions.Logging;

namespace Cni.Node.Pods;

public sealed partial class CniCommandHandler
{
    private static partial class Log
    {
        [LoggerMessage(EventId = 5109, Level = LogLevel.Warning, Message = "CNI {Command} {ContainerId}/{IfName} failed with code {Code}: {Message}")]
        public static partial void CommandFailed(ILogger logger, string command, string containerId, string ifName, int code, string message);
    }
}
