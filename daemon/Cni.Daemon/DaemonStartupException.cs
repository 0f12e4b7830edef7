namespace Cni.Daemon;

/// <summary>
/// The daemon cannot start as asked (wrong platform for the dataplane, socket in use, state dir unusable, no Kubernetes
/// access). Raised by every start-up step (options, dataplane, IPAM, listeners); the command line turns it into exit code 2.
/// </summary>
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
