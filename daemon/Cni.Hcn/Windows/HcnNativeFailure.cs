namespace Cni.Hcn.Windows;

/// <summary>
/// Builds the exception for a failed native call: the HRESULT HNS returned, or — when HNS reported S_OK with a
/// non-empty error record — the record's <c>ErrorCode</c>, else E_FAIL.
/// </summary>
internal static class HcnNativeFailure
{
    public static Exception Create(string function, int hresult, string? errorRecord)
    {
        var record = string.IsNullOrEmpty(errorRecord) ? null : HcnErrorRecord.Parse(errorRecord);
        var effective = hresult < 0 ? hresult : record?.ErrorCode is int code && code < 0 ? code : NativeHResults.Fail;
        return new HcnNativeCallException(function, effective, record?.Error ?? record?.Text, errorRecord);
    }
}
