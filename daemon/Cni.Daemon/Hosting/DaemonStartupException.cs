namespace Cni.Daemon.Hosting;

/// <summary>The daemon cannot start as asked (wrong platform for the dataplane, socket in use, state dir unusable).</summary>
public sealed class DaemonStartupException : Exception
{
    public DaemonStartupException()
    {
    }

    public DaemonStartupException(string message)
        : base(message)
    {
    }

    public DaemonStartupException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
