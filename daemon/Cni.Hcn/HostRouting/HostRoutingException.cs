using System.Globalization;

namespace Cni.Hcn.HostRouting;

/// <summary>
/// A host-routing call failed: the operation (with the route or interface), the platform's code and its name, and what
/// it means (<see cref="Kind"/>).
/// </summary>
public sealed class HostRoutingException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="operation">What was being done ("CreateIpForwardEntry2 10.244.2.0/24 via 192.0.2.11 if#7").</param>
    /// <param name="kind">What the code means.</param>
    /// <param name="code">The platform's code (a Win32 error or an errno), 0 when there is none.</param>
    /// <param name="codeName">The code's symbolic name ("ERROR_OBJECT_ALREADY_EXISTS", "EEXIST").</param>
    /// <param name="detail">The platform's own text, if any.</param>
    /// <param name="innerException">The cause, if any.</param>
    public HostRoutingException(string operation, HostRoutingErrorKind kind, int code, string codeName, string? detail = null, Exception? innerException = null)
        : base(Format(operation, kind, code, codeName, detail), innerException)
    {
        Operation = operation;
        Kind = kind;
        Code = code;
        CodeName = codeName;
    }

    /// <summary>Creates a <see cref="HostRoutingErrorKind.Failed"/> exception (for serializers and frameworks).</summary>
    public HostRoutingException()
        : this("host routing", HostRoutingErrorKind.Failed, 0, "failed")
    {
    }

    /// <summary>Creates a <see cref="HostRoutingErrorKind.Failed"/> exception with a message.</summary>
    /// <param name="message">The detail.</param>
    public HostRoutingException(string message)
        : this("host routing", HostRoutingErrorKind.Failed, 0, "failed", message)
    {
    }

    /// <summary>Creates a <see cref="HostRoutingErrorKind.Failed"/> exception with a message and a cause.</summary>
    /// <param name="message">The detail.</param>
    /// <param name="innerException">The cause.</param>
    public HostRoutingException(string message, Exception? innerException)
        : this("host routing", HostRoutingErrorKind.Failed, 0, "failed", message, innerException)
    {
    }

    /// <summary>The operation that failed.</summary>
    public string Operation { get; }

    /// <summary>What the code means.</summary>
    public HostRoutingErrorKind Kind { get; }

    /// <summary>The platform's code (Win32 error or errno); 0 when none.</summary>
    public int Code { get; }

    /// <summary>The code's symbolic name.</summary>
    public string CodeName { get; }

    /// <summary>The raw facts for a readiness reason or a log: code, name, operation.</summary>
    public string Facts => string.Create(CultureInfo.InvariantCulture, $"code={Code} name={CodeName} operation={Operation}");

    private static string Format(string operation, HostRoutingErrorKind kind, int code, string codeName, string? detail)
    {
        var meaning = kind switch
        {
            HostRoutingErrorKind.NotFound => "not found",
            HostRoutingErrorKind.AlreadyExists => "the route exists already",
            HostRoutingErrorKind.InterfaceNotFound => "the interface does not exist (it may have been replaced: a new HCN network gives the adapter a new index)",
            HostRoutingErrorKind.InvalidParameter => "a parameter was refused",
            HostRoutingErrorKind.AccessDenied => "access denied (wincnid must run as SYSTEM/Administrator, or root)",
            _ => "failed",
        };
        var text = string.Create(CultureInfo.InvariantCulture, $"{operation} failed: {codeName} ({code}): {meaning}");
        return string.IsNullOrWhiteSpace(detail) ? text + "." : $"{text}. {detail.Trim().TrimEnd('.')}.";
    }
}
