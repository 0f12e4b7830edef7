namespace Cni.Daemon.Service;

/// <summary>A service install or uninstall step failed; the message names the command and its output (exit code 2).</summary>
public sealed class ServiceInstallException : Exception
{
    public ServiceInstallException()
    {
    }

    public ServiceInstallException(string message)
        : base(message)
    {
    }

    public ServiceInstallException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
