using System.Text;

namespace Cni.Hcn.Errors;

/// <summary>
/// The one error every <see cref="IHcn"/> implementation throws for an HNS failure: the HRESULT (also in
/// <see cref="Exception.HResult"/>), the HNS error record, and a message naming the operation, the code, the likely
/// cause and the fix (<see cref="HcnErrorCatalog"/>).
/// </summary>
public sealed class HcnException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="operation">What was being done, with identifiers ("HcnCreateEndpoint pod-eth0 on network 1f…").</param>
    /// <param name="hresult">
    /// The HRESULT, or a bare Win32 code (normalized to <c>0x8007xxxx</c>). A success code with an error record becomes
    /// the record's <c>ErrorCode</c> or E_FAIL, as hcsshim treats a non-empty record as failure.
    /// </param>
    /// <param name="errorRecord">The HNS error record text, if any.</param>
    /// <param name="detail">Extra context for the message (e.g. which member was wrong), if any.</param>
    /// <param name="innerException">The underlying exception, if any.</param>
    public HcnException(string operation, int hresult, string? errorRecord = null, string? detail = null, Exception? innerException = null)
        : this(operation, Effective(hresult, Record(errorRecord)), Record(errorRecord), detail, innerException)
    {
    }

    /// <summary>Creates an E_FAIL exception (for serializers and frameworks that need it).</summary>
    public HcnException()
        : this("HCN call", HcnErrorCodes.Fail)
    {
    }

    /// <summary>Creates an E_FAIL exception with a detail message.</summary>
    /// <param name="message">The detail.</param>
    public HcnException(string message)
        : this("HCN call", HcnErrorCodes.Fail, (string?)null, message)
    {
    }

    /// <summary>Creates an E_FAIL exception with a detail message and a cause.</summary>
    /// <param name="message">The detail.</param>
    /// <param name="innerException">The cause.</param>
    public HcnException(string message, Exception? innerException)
        : this("HCN call", HcnErrorCodes.Fail, (string?)null, message, innerException)
    {
    }

    /// <summary>
    /// Creates the exception with the dataplane's own cause and fix instead of the catalogue's (KernelHcn: what a Linux
    /// errno means on a node, where HNS's advice about event logs would send the operator the wrong way).
    /// </summary>
    /// <param name="operation">What was being done, with identifiers.</param>
    /// <param name="hresult">The HRESULT callers branch on (transient, not found, …).</param>
    /// <param name="advice">The likely cause and the fix.</param>
    /// <param name="detail">Extra context for the message, if any.</param>
    /// <param name="innerException">The underlying exception, if any.</param>
    public HcnException(string operation, int hresult, HcnErrorAdvice advice, string? detail = null, Exception? innerException = null)
        : this(operation, Effective(hresult, null), null, detail, innerException, advice)
    {
    }

    private HcnException(string operation, int hresult, HnsErrorRecord? record, string? detail, Exception? innerException, HcnErrorAdvice? advice = null)
        : base(Format(operation, InfoOf(hresult, advice), record, detail), innerException)
    {
        Operation = operation;
        HResult = hresult;
        ErrorRecord = record;
        Detail = detail;
        Info = InfoOf(hresult, advice);
    }

    private static HcnErrorInfo InfoOf(int hresult, HcnErrorAdvice? advice) =>
        advice is { } own ? HcnErrorCatalog.Lookup(hresult) with { Cause = own.Cause, Fix = own.Fix } : HcnErrorCatalog.Lookup(hresult);

    /// <summary>The operation that failed.</summary>
    public string Operation { get; }

    /// <summary>The parsed HNS error record, if HNS returned one.</summary>
    public HnsErrorRecord? ErrorRecord { get; }

    /// <summary>Extra context given by the thrower.</summary>
    public string? Detail { get; }

    /// <summary>Name, description, cause and fix for <see cref="Exception.HResult"/>.</summary>
    public HcnErrorInfo Info { get; }

    /// <summary>
    /// The raw facts for a report (a CNI error's <c>details</c>, a readiness reason): HRESULT, symbolic name, operation,
    /// HNS error record.
    /// </summary>
    public string Facts => ErrorRecord is { } record
        ? $"hresult={HexCode} name={Info.Name} operation={Operation} errorRecord={record.Text}"
        : $"hresult={HexCode} name={Info.Name} operation={Operation}";

    /// <summary>The object does not exist (ERROR_NOT_FOUND, HCN_E_NETWORK_NOT_FOUND, HCN_E_ENDPOINT_NOT_FOUND, …).</summary>
    public bool IsNotFound => HcnErrorCatalog.IsNotFound(HResult);

    /// <summary>The object, policy, port or attachment already exists.</summary>
    public bool IsAlreadyExists => HcnErrorCatalog.IsAlreadyExists(HResult);

    /// <summary>HNS is stopping, busy or timing out: the same call is expected to work later (<see cref="HcnErrorCatalog.IsTransient"/>).</summary>
    public bool IsTransient => HcnErrorCatalog.IsTransient(HResult);

    /// <summary>E_NOTIMPL: this HNS does not implement the call (e.g. HcnModifyLoadBalancer before 15.4).</summary>
    public bool IsNotImplemented => HResult == HcnErrorCodes.NotImplemented;

    /// <summary>HCN_E_PORT_ALREADY_EXISTS: a duplicate port mapping.</summary>
    public bool IsPortAlreadyExists => HResult == HcnErrorCodes.PortAlreadyExists;

    /// <summary>The HRESULT as <c>0x803B0001</c>, for CNI error <c>details</c>.</summary>
    public string HexCode => HcnErrorCatalog.FormatHResult(HResult);

    private static HnsErrorRecord? Record(string? text) =>
        string.IsNullOrWhiteSpace(text) ? null : HnsErrorRecord.Parse(text);

    private static int Effective(int hresult, HnsErrorRecord? record)
    {
        var normalized = HcnErrorCatalog.Normalize(hresult);
        if (normalized < 0)
        {
            return normalized;
        }

        return record?.ErrorCode is int code && code < 0 ? code : HcnErrorCodes.Fail;
    }

    private static string Format(string operation, HcnErrorInfo info, HnsErrorRecord? record, string? detail)
    {
        var text = new StringBuilder();
        text.Append(operation).Append(" failed: ").Append(info.Name);
        if (!string.Equals(info.Name, info.HexCode, StringComparison.Ordinal))
        {
            text.Append(" (").Append(info.HexCode).Append(')');
        }

        text.Append(' ').Append(info.Description.TrimEnd('.')).Append('.');
        if (!string.IsNullOrWhiteSpace(detail))
        {
            text.Append(' ').Append(detail.Trim().TrimEnd('.')).Append('.');
        }

        if (record?.Error is { } hns)
        {
            text.Append(" HNS: ").Append(hns.TrimEnd('.')).Append('.');
        }

        text.Append(" Likely cause: ").Append(info.Cause);
        text.Append(" Fix: ").Append(info.Fix);
        return text.ToString();
    }
}
