using Cni.Hcn.Kernel.Interop;

namespace Cni.Hcn.Kernel.Netlink;

/// <summary>
/// A kernel refusal of a netlink request (or a socket failure): the operation, the errno with its name and text, and
/// the kernel's extended-ACK message when it gave one ("Error: Unknown device type.").
/// </summary>
public sealed class NetlinkException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="operation">What was asked ("RTM_NEWLINK veth wc1a2b… ").</param>
    /// <param name="errno">The positive errno.</param>
    /// <param name="kernelMessage">The extended-ACK text, if any.</param>
    public NetlinkException(string operation, int errno, string? kernelMessage = null)
        : base(Format(operation, errno, kernelMessage))
    {
        Operation = operation;
        Errno = errno;
        KernelMessage = kernelMessage;
    }

    /// <summary>Creates an exception without an errno.</summary>
    public NetlinkException()
        : this("netlink", 0)
    {
    }

    /// <summary>Creates an exception with a message.</summary>
    public NetlinkException(string message)
        : this(message, 0)
    {
    }

    /// <summary>Creates an exception with a message and a cause.</summary>
    public NetlinkException(string message, Exception innerException)
        : base(message, innerException)
    {
        Operation = message;
    }

    /// <summary>The request that failed.</summary>
    public string Operation { get; } = string.Empty;

    /// <summary>The positive errno (0 when none).</summary>
    public int Errno { get; }

    /// <summary>The kernel's extended-ACK message, if any.</summary>
    public string? KernelMessage { get; }

    /// <summary>The object already exists (EEXIST).</summary>
    public bool IsAlreadyExists => Errno == Interop.Errno.Eexist;

    /// <summary>The object (device, route, neighbour, address) does not exist.</summary>
    public bool IsNotFound => Errno is Interop.Errno.Enoent or Interop.Errno.Enodev or Interop.Errno.Esrch or Interop.Errno.Eaddrnotavail;

    private static string Format(string operation, int errno, string? kernelMessage)
    {
        if (errno == 0)
        {
            return operation;
        }

        var text = $"{operation} failed: {Interop.Errno.Name(errno)} ({Libc.StrError(errno)})";
        return string.IsNullOrWhiteSpace(kernelMessage) ? text : $"{text}: {kernelMessage.Trim()}";
    }
}
