namespace Cni.Hcn.Model;

/// <summary><see cref="HostComputeQuery"/> <c>Flags</c>, a number on the wire.</summary>
[Flags]
public enum HostComputeQueryFlags : uint
{
    /// <summary>No flags.</summary>
    None = 0,

    /// <summary>Return detailed properties.</summary>
    Detailed = 1,
}
