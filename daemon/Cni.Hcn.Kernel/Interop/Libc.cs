using System.Runtime.InteropServices;

namespace Cni.Hcn.Kernel.Interop;

/// <summary>
/// The few libc calls KernelHcn needs: netlink sockets (System.Net.Sockets has no AF_NETLINK), file descriptors for
/// namespaces, and setns/unshare/mount to enter and create network namespaces. Errors come back through errno
/// (<see cref="Marshal.GetLastPInvokeError"/>).
/// </summary>
internal static partial class Libc
{
    public const int AfNetlink = 16;
    public const int SockRaw = 3;
    public const int SockCloexec = 0x80000;
    public const int NetlinkRoute = 0;
    public const int NetlinkNetfilter = 12;
    public const int SolSocket = 1;
    public const int SoSndbuf = 7;
    public const int SoSndbufforce = 32;
    public const int SoRcvbuf = 8;
    public const int SoRcvtimeo = 20;
    public const int SolNetlink = 270;
    public const int NetlinkExtAck = 11;
    public const int NetlinkCapAck = 10;
    public const int NetlinkGetStrictChk = 12;

    public const int ORdonly = 0;
    public const int OCloexec = 0x80000;
    public const int CloneNewNet = 0x40000000;

    /// <summary>NS_GET_NSTYPE, <c>_IO(0xb7, 0x3)</c>: the CLONE_NEW* type of a namespace file descriptor (Linux 4.11+).</summary>
    public const nuint NsGetNsType = 0xb703;

    /// <summary>statfs' f_type of nsfs, the file system of namespace files.</summary>
    public const long NsfsMagic = 0x6e736673;
    public const ulong MsBind = 4096;
    public const int MntDetach = 2;

    [StructLayout(LayoutKind.Sequential)]
    public struct SockaddrNl
    {
        public ushort Family;
        public ushort Pad;
        public uint Pid;
        public uint Groups;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct Timeval
    {
        public long Seconds;
        public long Microseconds;
    }

    [LibraryImport("libc", EntryPoint = "socket", SetLastError = true)]
    public static partial int Socket(int domain, int type, int protocol);

    [LibraryImport("libc", EntryPoint = "bind", SetLastError = true)]
    public static partial int Bind(int fd, in SockaddrNl address, int length);

    [LibraryImport("libc", EntryPoint = "setsockopt", SetLastError = true)]
    public static partial int SetSockOpt(int fd, int level, int name, in int value, int length);

    [LibraryImport("libc", EntryPoint = "setsockopt", SetLastError = true)]
    public static partial int SetSockOpt(int fd, int level, int name, in Timeval value, int length);

    [LibraryImport("libc", EntryPoint = "send", SetLastError = true)]
    public static unsafe partial nint Send(int fd, byte* buffer, nuint length, int flags);

    [LibraryImport("libc", EntryPoint = "recv", SetLastError = true)]
    public static unsafe partial nint Recv(int fd, byte* buffer, nuint length, int flags);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    public static partial int Ioctl(int fd, nuint request);

    /// <summary>fstatfs into a buffer whose first 8 bytes are f_type (a long on 64-bit Linux).</summary>
    [LibraryImport("libc", EntryPoint = "fstatfs", SetLastError = true)]
    public static partial int FStatFs(int fd, [Out] byte[] buffer);

    [LibraryImport("libc", EntryPoint = "setns", SetLastError = true)]
    public static partial int SetNs(int fd, int nsType);

    [LibraryImport("libc", EntryPoint = "unshare", SetLastError = true)]
    public static partial int Unshare(int flags);

    [LibraryImport("libc", EntryPoint = "mount", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Mount(string source, string target, string? fileSystemType, ulong flags, nint data);

    [LibraryImport("libc", EntryPoint = "umount2", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Umount2(string target, int flags);

    [LibraryImport("libc", EntryPoint = "strerror")]
    private static partial nint StrErrorNative(int errno);

    /// <summary>The C library's text for <paramref name="errno"/> ("File exists").</summary>
    public static string StrError(int errno) => Marshal.PtrToStringUTF8(StrErrorNative(errno)) ?? $"errno {errno}";
}
