using Cni.Hcn.Kernel.Interop;

namespace Cni.Hcn.Kernel.Namespaces;

/// <summary>A network namespace could not be opened, entered, created or removed.</summary>
public sealed class NetnsException : Exception
{
    /// <summary>Creates the exception for a failed call.</summary>
    /// <param name="operation">What was done.</param>
    public NetnsException(string operation, int errno)
        : base($"{operation} failed: {Interop.Errno.Name(errno)} ({Libc.StrError(errno)})")
    {
        Errno = errno;
    }

    /// <summary>Creates the exception.</summary>
    public NetnsException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public NetnsException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public NetnsException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The errno (0 when none).</summary>
    public int Errno { get; }

    /// <summary>The namespace file does not exist.</summary>
    public bool IsNotFound => Errno == Interop.Errno.Enoent;
}
