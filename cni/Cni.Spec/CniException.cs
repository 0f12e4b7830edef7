namespace Cni.Spec;

/// <summary>
/// A failure that already has its CNI shape (code, msg, details). Everything in Cni.Spec that rejects input throws
/// this and nothing else, so the executable can print <see cref="Error"/> without guessing a code.
/// </summary>
public sealed class CniException : Exception
{
    public CniException()
        : this(CniErrorCode.Internal, "internal error")
    {
    }

    public CniException(string message)
        : this(CniErrorCode.Internal, message)
    {
    }

    public CniException(string message, Exception innerException)
        : this(CniErrorCode.Internal, message, null, innerException)
    {
    }

    public CniException(CniErrorCode code, string message, string? details = null, Exception? innerException = null)
        : this(CniError.Create(code, message, details), innerException)
    {
    }

    public CniException(CniError error, Exception? innerException = null)
        : base(error?.Msg ?? "internal error", innerException)
    {
        Error = error ?? CniError.Create(CniErrorCode.Internal, "internal error");
    }

    /// <summary>The error document to print.</summary>
    public CniError Error { get; }

    /// <summary>Shortcut for <c>Error.Code</c>.</summary>
    public CniErrorCode Code => Error.Code;

    /// <summary>Returns a copy of this exception whose error carries <paramref name="cniVersion"/>.</summary>
    public CniException WithVersion(string? cniVersion) =>
        new(Error with { CniVersion = cniVersion }, InnerException);
}
