using Cni.Hcn.Errors;

namespace Cni.Hcn.Windows;

/// <summary>
/// Builds the exception for a failed native call. <see cref="HcnException"/> applies hcsshim's rule: the HRESULT when it
/// failed, else (S_OK with a non-empty error record) the record's <c>ErrorCode</c>, else E_FAIL.
/// </summary>
internal static class HcnNativeFailure
{
    public static HcnException Create(string operation, int hresult, string? errorRecord) =>
        new(operation, hresult, errorRecord);

    public static HcnException Invalid(string operation, string detail) =>
        new(operation, HcnErrorCodes.InvalidData, errorRecord: null, detail: detail);
}
