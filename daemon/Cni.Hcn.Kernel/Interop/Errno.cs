namespace Cni.Hcn.Kernel.Interop;

/// <summary>The errno values KernelHcn reacts to (asm-generic/errno-base.h, errno.h).</summary>
internal static class Errno
{
    public const int Eperm = 1;
    public const int Enoent = 2;
    public const int Esrch = 3;
    public const int Eintr = 4;
    public const int Ebadf = 9;
    public const int Eagain = 11;
    public const int Enomem = 12;
    public const int Eacces = 13;
    public const int Ebusy = 16;
    public const int Eexist = 17;
    public const int Enodev = 19;
    public const int Einval = 22;
    public const int Erange = 34;
    public const int Eopnotsupp = 95;
    public const int Eaddrinuse = 98;
    public const int Eaddrnotavail = 99;
    public const int Enetunreach = 101;

    /// <summary>The symbolic name of an errno, for messages ("EEXIST").</summary>
    public static string Name(int errno) => errno switch
    {
        Eperm => "EPERM",
        Enoent => "ENOENT",
        Esrch => "ESRCH",
        Eintr => "EINTR",
        Ebadf => "EBADF",
        Eagain => "EAGAIN",
        Enomem => "ENOMEM",
        Eacces => "EACCES",
        Ebusy => "EBUSY",
        Eexist => "EEXIST",
        Enodev => "ENODEV",
        Einval => "EINVAL",
        Erange => "ERANGE",
        Eopnotsupp => "EOPNOTSUPP",
        Eaddrinuse => "EADDRINUSE",
        Eaddrnotavail => "EADDRNOTAVAIL",
        Enetunreach => "ENETUNREACH",
        _ => $"errno {errno}",
    };
}
