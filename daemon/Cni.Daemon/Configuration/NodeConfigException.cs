namespace Cni.Daemon.Configuration;

/// <summary>The node config file is unusable; <see cref="Exception.Message"/> lists every problem with its key and line.</summary>
public sealed class NodeConfigException : Exception
{
    public NodeConfigException(string source, IReadOnlyList<string> problems)
        : base($"invalid node config {source}:{Environment.NewLine}  " + string.Join(Environment.NewLine + "  ", problems))
    {
        Problems = problems;
    }

    public NodeConfigException()
        : this("", [])
    {
    }

    public NodeConfigException(string message)
        : base(message)
    {
        Problems = [message];
    }

    public NodeConfigException(string message, Exception innerException)
        : base(message, innerException)
    {
        Problems = [message];
    }

    public IReadOnlyList<string> Problems { get; } = [];
}
