using System.Runtime.InteropServices;
using Cni.Hcn.Kernel.Interop;

namespace Cni.Hcn.Kernel.Namespaces;

/// <summary>
/// Creates and removes named network namespaces the way <c>ip netns add/del</c> does, without a process: a new
/// namespace is unshared on a dedicated thread and bind-mounted onto a file, which keeps it alive after the thread ends.
/// </summary>
internal static class NetnsFiles
{
    /// <summary>Creates a namespace bind-mounted at <paramref name="path"/> (the directory is created if needed).</summary>
    /// <param name="path">The file that will name the namespace.</param>
    /// <exception cref="NetnsException">It exists already, or a call failed.</exception>
    public static void Create(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        try
        {
            using (new FileStream(path, FileMode.CreateNew, FileAccess.Write))
            {
            }
        }
        catch (IOException ex)
        {
            throw new NetnsException($"create network namespace file {path}: {ex.Message}", ex);
        }

        try
        {
            Exception? failure = null;
            var thread = new Thread(() =>
            {
                try
                {
                    UnshareAndMount(path);
                }
                catch (NetnsException ex)
                {
                    failure = ex;
                }
            })
            { IsBackground = true, Name = "wincni-netns-create" };
            thread.Start();
            thread.Join();
            if (failure is not null)
            {
                throw failure;
            }
        }
        catch
        {
            File.Delete(path);
            throw;
        }
    }

    /// <summary>Unmounts and removes a namespace file; false when it did not exist.</summary>
    /// <param name="path">The file.</param>
    /// <returns>Whether something was removed.</returns>
    public static bool Delete(string path)
    {
        if (!File.Exists(path))
        {
            return false;
        }

        // MNT_DETACH: a namespace still held by a process or socket lives on until they let go, as with ip netns del.
        if (Libc.Umount2(path, Libc.MntDetach) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            if (errno != Errno.Einval)
            {
                throw new NetnsException($"umount {path}", errno);
            }
        }

        File.Delete(path);
        return true;
    }

    private static void UnshareAndMount(string path)
    {
        var original = NetnsThread.Open("/proc/thread-self/ns/net");
        try
        {
            if (Libc.Unshare(Libc.CloneNewNet) != 0)
            {
                throw new NetnsException("unshare(CLONE_NEWNET)", Marshal.GetLastPInvokeError());
            }

            try
            {
                if (Libc.Mount("/proc/thread-self/ns/net", path, "none", Libc.MsBind, 0) != 0)
                {
                    throw new NetnsException($"bind-mount the new network namespace onto {path}", Marshal.GetLastPInvokeError());
                }
            }
            finally
            {
                _ = Libc.SetNs(original, Libc.CloneNewNet);
            }
        }
        finally
        {
            Libc.Close(original);
        }
    }
}
