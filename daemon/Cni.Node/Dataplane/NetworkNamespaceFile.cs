using System.Runtime.InteropServices;

namespace Cni.Node.Dataplane;

/// <summary>
/// Whether a path is a network namespace as wincnid sees it (Linux). A runtime's netns files are bind mounts of nsfs;
/// when the netns directory is not propagated into wincnid's mount namespace, wincnid sees the empty placeholder file
/// under the mount instead, and attaching to it fails deep in setns with EINVAL. Asking first names the real cause.
/// </summary>
internal static class NetworkNamespaceFile
{
    private const int ORdonly = 0;
    private const int OCloexec = 0x80000;
    private const int Enotty = 25;
    private const int Einval = 22;
    private const nuint NsGetNsType = 0xb703; // _IO(0xb7, 0x3), Linux 4.11+
    private const int CloneNewNet = 0x40000000;
    private const long NsfsMagic = 0x6e736673;

    /// <summary>Null when <paramref name="path"/> is a network namespace (or it cannot be told); else what it is instead.</summary>
    public static string? WhyNot(string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        if (Directory.Exists(path))
        {
            return "a directory";
        }

        var fd = Open(path, ORdonly | OCloexec);
        if (fd < 0)
        {
            return null; // unreadable or gone: the dataplane reports that with its own words
        }

        try
        {
            var type = Ioctl(fd, NsGetNsType);
            if (type == CloneNewNet)
            {
                return null;
            }

            if (type >= 0)
            {
                return "a namespace of another kind, not a network namespace";
            }

            var errno = Marshal.GetLastPInvokeError();
            if (errno is not (Enotty or Einval) || IsNsfs(path))
            {
                return null; // an older kernel without NS_GET_NSTYPE: nsfs is as far as it can be checked
            }

            return new FileInfo(path).Length == 0 ? "an empty regular file" : "a regular file";
        }
        finally
        {
            _ = Close(fd);
        }
    }

    private static bool IsNsfs(string path)
    {
        // struct statfs starts with f_type (a long on 64-bit Linux); the rest is not needed.
        var buffer = new byte[256];
        return StatFs(path, buffer) == 0 && BitConverter.ToInt64(buffer, 0) == NsfsMagic;
    }

    [DllImport("libc", EntryPoint = "open", SetLastError = true)]
    private static extern int Open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

    [DllImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    private static extern int Ioctl(int fd, nuint request);

    [DllImport("libc", EntryPoint = "statfs", SetLastError = true)]
    private static extern int StatFs([MarshalAs(UnmanagedType.LPUTF8Str)] string path, byte[] buffer);

    [DllImport("libc", EntryPoint = "close", SetLastError = true)]
    private static extern int Close(int fd);
}
