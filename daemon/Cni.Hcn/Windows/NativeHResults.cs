namespace Cni.Hcn.Windows;

/// <summary>The few HRESULTs the binding itself produces (HNS's own codes belong to the model's error table).</summary>
internal static class NativeHResults
{
    /// <summary>E_FAIL: used when HNS reports an error record with S_OK and no ErrorCode in it.</summary>
    public const int Fail = unchecked((int)0x80004005);

    /// <summary>HRESULT_FROM_WIN32(ERROR_PROC_NOT_FOUND): a run-time-resolved export is missing.</summary>
    public const int ProcNotFound = unchecked((int)0x8007007F);

    /// <summary>HRESULT_FROM_WIN32(ERROR_INVALID_DATA): HNS returned text the binding cannot parse.</summary>
    public const int InvalidData = unchecked((int)0x8007000D);
}
