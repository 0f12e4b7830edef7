namespace Cni.Hcn.Errors;

/// <summary>What an HRESULT means for wincni: its symbolic name, the system description, the likely cause and the fix.</summary>
/// <param name="HResult">The HRESULT.</param>
/// <param name="Name">Symbolic name, e.g. <c>HCN_E_NETWORK_NOT_FOUND</c>.</param>
/// <param name="Description">What the system says about it.</param>
/// <param name="Cause">The likely cause in a Kubernetes node.</param>
/// <param name="Fix">What to do about it.</param>
public sealed record HcnErrorInfo(int HResult, string Name, string Description, string Cause, string Fix)
{
    /// <summary>The HRESULT as <c>0x803B0001</c>.</summary>
    public string HexCode => HcnErrorCatalog.FormatHResult(HResult);
}
