namespace Cni.Hcn.HostRouting;

/// <summary>What a host-routing failure means, across the platforms' codes (Win32 errors, errno).</summary>
public enum HostRoutingErrorKind
{
    /// <summary>Anything not classified below.</summary>
    Failed,

    /// <summary>The route (or other object) does not exist.</summary>
    NotFound,

    /// <summary>The route exists already (Windows ERROR_OBJECT_ALREADY_EXISTS, Linux EEXIST).</summary>
    AlreadyExists,

    /// <summary>The interface does not exist (Windows ERROR_NOT_FOUND / ERROR_FILE_NOT_FOUND, Linux ENODEV).</summary>
    InterfaceNotFound,

    /// <summary>A parameter was refused (Windows ERROR_INVALID_PARAMETER, Linux EINVAL, ENETUNREACH).</summary>
    InvalidParameter,

    /// <summary>Not privileged enough (Windows ERROR_ACCESS_DENIED, Linux EPERM/EACCES).</summary>
    AccessDenied,
}
