using System.Globalization;

namespace Cni.Hcn.Windows.IpHelper;

/// <summary>The Win32 error codes iphlpapi.dll answers with (winerror.h), and their names.</summary>
internal static class Win32Error
{
    public const int Success = 0;
    public const int FileNotFound = 2;
    public const int AccessDenied = 5;
    public const int NotSupported = 50;
    public const int InvalidParameter = 87;
    public const int NotFound = 1168;
    public const int ObjectAlreadyExists = 5010;

    /// <summary>The symbolic name of <paramref name="code"/>.</summary>
    public static string Name(int code) => code switch
    {
        Success => "ERROR_SUCCESS",
        FileNotFound => "ERROR_FILE_NOT_FOUND",
        AccessDenied => "ERROR_ACCESS_DENIED",
        NotSupported => "ERROR_NOT_SUPPORTED",
        InvalidParameter => "ERROR_INVALID_PARAMETER",
        NotFound => "ERROR_NOT_FOUND",
        ObjectAlreadyExists => "ERROR_OBJECT_ALREADY_EXISTS",
        _ => "WIN32_" + code.ToString(CultureInfo.InvariantCulture),
    };
}
