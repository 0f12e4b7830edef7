using System.ComponentModel;
using System.Runtime.InteropServices;

namespace Cni.Node.Ipam;

/// <summary>
/// The two durability primitives .NET lacks: fsync of a directory (so a create or rename survives a power
/// loss on Linux) and a write-through replace on Windows.
/// </summary>
internal static class DurableFile
{
    private const int EINVAL = 22;
    private const uint MoveFileReplaceExisting = 0x1;
    private const uint MoveFileWriteThrough = 0x8;

    /// <summary>
    /// Atomically replaces <paramref name="destination"/> with <paramref name="source"/>. On Windows the rename is
    /// write-through; elsewhere call <see cref="FlushDirectory"/> afterwards to make it durable.
    /// </summary>
    public static void Replace(string source, string destination)
    {
        if (OperatingSystem.IsWindows())
        {
            // MOVEFILE_WRITE_THROUGH returns only after the rename is flushed; NTFS has no directory fsync.
            if (!MoveFileExW(source, destination, MoveFileReplaceExisting | MoveFileWriteThrough))
            {
                throw new IOException($"cannot replace '{destination}' with '{source}'", new Win32Exception(Marshal.GetLastPInvokeError()));
            }

            return;
        }

        File.Move(source, destination, overwrite: true);
    }

    /// <summary>
    /// Makes the data written to <paramref name="file"/> durable: fdatasync on Linux (the file's size and block map
    /// must not have changed since they were last made durable), a full flush elsewhere.
    /// </summary>
    public static void FlushData(FileStream file)
    {
        ArgumentNullException.ThrowIfNull(file);
        if (!OperatingSystem.IsLinux())
        {
            file.Flush(flushToDisk: true);
            return;
        }

        file.Flush(flushToDisk: false);
        if (Fdatasync(file.SafeFileHandle) != 0)
        {
            throw new IOException($"fdatasync of '{file.Name}' failed", new Win32Exception(Marshal.GetLastPInvokeError()));
        }
    }

    /// <summary>fsyncs a directory so entries created or renamed in it are durable. No-op on Windows.</summary>
    public static void FlushDirectory(string directory)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var fd = Open(directory, 0 /* O_RDONLY */);
        if (fd < 0)
        {
            throw new IOException($"cannot open directory '{directory}' to fsync it", new Win32Exception(Marshal.GetLastPInvokeError()));
        }

        try
        {
            if (Fsync(fd) != 0)
            {
                var errno = Marshal.GetLastPInvokeError();

                // Some filesystems cannot fsync directories; there is nothing stronger to do there.
                if (errno != EINVAL)
                {
                    throw new IOException($"cannot fsync directory '{directory}'", new Win32Exception(errno));
                }
            }
        }
        finally
        {
            _ = Close(fd);
        }
    }

    [DllImport("libc", EntryPoint = "open", SetLastError = true)]
    private static extern int Open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

    [DllImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static extern int Fsync(int fd);

    [DllImport("libc", EntryPoint = "fdatasync", SetLastError = true)]
    private static extern int Fdatasync(Microsoft.Win32.SafeHandles.SafeFileHandle fd);

    [DllImport("libc", EntryPoint = "close", SetLastError = true)]
    private static extern int Close(int fd);

    [DllImport("kernel32.dll", CharSet = CharSet.Unicode, SetLastError = true)]
    [return: MarshalAs(UnmanagedType.Bool)]
    private static extern bool MoveFileExW(string existingFileName, string newFileName, uint flags);
}
