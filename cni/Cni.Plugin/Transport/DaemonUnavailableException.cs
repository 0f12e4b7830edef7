namespace Cni.Plugin.Transport;

/// <summary>
/// The daemon could not be asked: no socket, nobody listening, permission denied, a broken connection or a timeout.
/// The plugin turns this into CNI code 11 ("try again later"), or 50 for STATUS.
/// </summary>
internal sealed class DaemonUnavailableException : Exception
{
    public DaemonUnavailableException(string message, string socketPath, Exception? inner = null)
        : base(message, inner)
    {
        SocketPath = socketPath;
    }

    public DaemonUnavailableException()
        : this("the node daemon is unavailable", "")
    {
    }

    public DaemonUnavailableException(string message)
        : this(message, "")
    {
    }

    public DaemonUnavailableException(string message, Exception inner)
        : this(message, "", inner)
    {
    }

    public string SocketPath { get; }
}
