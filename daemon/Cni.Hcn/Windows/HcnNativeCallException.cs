namespace Cni.Hcn.Windows;

/// <summary>Temporary stand-in until the model's HcnException lands.</summary>
internal sealed class HcnNativeCallException(string function, int hresult, string? error, string? errorRecord)
    : Exception($"{function} failed (0x{hresult:X8}){(error is null ? string.Empty : ": " + error)}")
{
    public string Function { get; } = function;

    public int Code { get; } = hresult;

    public string? ErrorRecord { get; } = errorRecord;
}
