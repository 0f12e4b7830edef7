namespace Cni.Daemon.Install;

/// <summary>The installer cannot go on; the message names the file, field or directory and what is wrong (exit code 2).</summary>
public sealed class InstallException : Exception
{
    public InstallException()
    {
    }

    public InstallException(string message)
        : base(message)
    {
    }

    public InstallException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
