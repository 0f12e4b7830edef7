using System.Runtime.InteropServices;
using System.Runtime.Versioning;

namespace Cni.Plugin.Linux;

/// <summary>
/// Identifies a network namespace file by (device, inode), the only identity the kernel gives a namespace: a
/// bind-mounted netns under /var/run/netns and /proc/self/ns/net are the same namespace exactly when these match.
/// </summary>
[SupportedOSPlatform("linux")]
internal static partial class NamespaceIdentity
{
    private const int AtFdCwd = -100;
    private const uint StatxIno = 0x100;
    private const int ENOENT = 2;
    private const int ENOTDIR = 20;

    /// <summary>The kernel's struct statx: a fixed, architecture-independent layout (unlike struct stat).</summary>
    [StructLayout(LayoutKind.Explicit, Size = 256)]
    private struct Statx
    {
        [FieldOffset(0x20)]
        public ulong Ino;

        [FieldOffset(0x88)]
        public uint DevMajor;

        [FieldOffset(0x8c)]
        public uint DevMinor;
    }

    public readonly record struct Identity(uint DevMajor, uint DevMinor, ulong Inode);

    public enum Outcome
    {
        Found,
        Missing,
        Unreadable,
    }

    /// <summary>Reads the identity of <paramref name="path"/>, following symlinks like the kernel does for setns.</summary>
    public static Outcome TryGet(string path, out Identity identity)
    {
        identity = default;
        if (statx(AtFdCwd, path, 0, StatxIno, out var buffer) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            return errno is ENOENT or ENOTDIR ? Outcome.Missing : Outcome.Unreadable;
        }

        identity = new Identity(buffer.DevMajor, buffer.DevMinor, buffer.Ino);
        return Outcome.Found;
    }

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int statx(int dirfd, string pathname, int flags, uint mask, out Statx statxbuf);
}
