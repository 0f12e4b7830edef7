namespace Cni.Hcn.Model.Policies;

/// <summary>
/// Iov policy <c>InterruptModeration</c>, a number on the wire. Names from MS-docs; values from the HCS schema in
/// hcsshim, inferred to apply to HCN (no HCN source gives them).
/// </summary>
public enum IovInterruptModeration : uint
{
    /// <summary>Default.</summary>
    Default = 0,

    /// <summary>Adaptive.</summary>
    Adaptive = 1,

    /// <summary>Off.</summary>
    Off = 2,

    /// <summary>Low.</summary>
    Low = 100,

    /// <summary>Medium.</summary>
    Medium = 200,

    /// <summary>High.</summary>
    High = 300,
}
