using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;
using Cni.Hcn.Kernel.Interop;

namespace Cni.Hcn.Kernel.Namespaces;

/// <summary>
/// Runs code inside a network namespace on a dedicated OS thread: the thread enters the namespace (setns), runs the
/// code, goes back, and ends. setns changes only the calling thread, so thread pool threads never leave the
/// process's namespace; and the thread dies afterwards, so even a failed switch back cannot leak into other work.
/// Sockets created inside (netlink, TCP) stay bound to that namespace for their whole life, which is what KernelHcn
/// relies on: it creates a netlink socket per namespace here and uses it from any thread.
/// </summary>
internal static class NetnsThread
{
    /// <summary>Runs <paramref name="action"/> inside the namespace at <paramref name="netnsPath"/> and returns its result.</summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="netnsPath">A netns path (/var/run/netns/x, /proc/pid/ns/net or any nsfs bind mount).</param>
    /// <param name="action">The code to run.</param>
    /// <returns>What <paramref name="action"/> returned.</returns>
    /// <exception cref="NetnsException">The namespace cannot be opened or entered.</exception>
    public static T Run<T>(string netnsPath, Func<T> action)
    {
        ArgumentException.ThrowIfNullOrEmpty(netnsPath);
        ArgumentNullException.ThrowIfNull(action);
        T result = default!;
        ExceptionDispatchInfo? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                result = RunHere(netnsPath, action);
            }
            catch (Exception ex)
            {
                failure = ExceptionDispatchInfo.Capture(ex);
            }
        })
        {
            IsBackground = true,
            Name = "wincni-netns",
        };
        thread.Start();
        thread.Join();
        failure?.Throw();
        return result;
    }

    /// <summary>Runs <paramref name="action"/> inside the namespace at <paramref name="netnsPath"/>.</summary>
    public static void Run(string netnsPath, Action action) => Run(netnsPath, () =>
    {
        action();
        return true;
    });

    /// <summary>Opens a namespace file read-only (close-on-exec); the descriptor names the namespace for setns and IFLA_NET_NS_FD.</summary>
    /// <returns>The descriptor (close with <see cref="Libc.Close"/>).</returns>
    /// <exception cref="NetnsException">It cannot be opened, or it is not a network namespace (EINVAL): a runtime's
    /// netns bind mount that did not propagate into wincnid's mount namespace leaves the empty placeholder file, and
    /// the kernel would only say EINVAL much later, at setns or veth creation.</exception>
    public static int Open(string netnsPath)
    {
        var fd = Libc.Open(netnsPath, Libc.ORdonly | Libc.OCloexec);
        if (fd < 0)
        {
            throw new NetnsException($"open network namespace {netnsPath}", Marshal.GetLastPInvokeError());
        }

        if (NotANetworkNamespace(fd) is { } what)
        {
            Libc.Close(fd);
            throw new NetnsException($"open network namespace {netnsPath} ({what}, not a network namespace as wincnid sees it)", Interop.Errno.Einval);
        }

        return fd;
    }

    /// <summary>Null when <paramref name="fd"/> is a network namespace; else what it is.</summary>
    private static string? NotANetworkNamespace(int fd)
    {
        var type = Libc.Ioctl(fd, Libc.NsGetNsType);
        if (type == Libc.CloneNewNet)
        {
            return null;
        }

        if (type >= 0)
        {
            return "a namespace of another kind";
        }

        // ENOTTY: not a namespace file, or a kernel before 4.11 without NS_GET_NSTYPE, where nsfs is all one can check.
        var statfs = new byte[256];
        if (Libc.FStatFs(fd, statfs) == 0 && BitConverter.ToInt64(statfs, 0) == Libc.NsfsMagic)
        {
            return null;
        }

        return "a regular file, or another file that is no namespace";
    }

    private static T RunHere<T>(string netnsPath, Func<T> action)
    {
        var original = Open("/proc/thread-self/ns/net");
        try
        {
            var target = Open(netnsPath);
            try
            {
                if (Libc.SetNs(target, Libc.CloneNewNet) != 0)
                {
                    throw new NetnsException($"setns into {netnsPath}", Marshal.GetLastPInvokeError());
                }
            }
            finally
            {
                Libc.Close(target);
            }

            try
            {
                return action();
            }
            finally
            {
                // Best effort: the thread ends right after, so a failure here cannot leak.
                _ = Libc.SetNs(original, Libc.CloneNewNet);
            }
        }
        finally
        {
            Libc.Close(original);
        }
    }
}
