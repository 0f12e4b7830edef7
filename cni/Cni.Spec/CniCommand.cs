namespace Cni.Spec;

/// <summary>The six CNI operations (SPEC.md lists STATUS separately; all six are implemented).</summary>
public enum CniCommand
{
    Add,
    Del,
    Check,
    Version,
    Status,
    Gc,
}
