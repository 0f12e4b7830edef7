using Cni.Spec;

namespace Cni.Node.Pods;

/// <summary>
/// What one CNI command produced: the bytes the plugin prints on success (a result for ADD; null for DEL, CHECK,
/// STATUS and GC), or the error document.
/// </summary>
/// <param name="Result">The stdout bytes on success, or null.</param>
/// <param name="Error">The error, or null on success.</param>
public sealed record CniOutcome(byte[]? Result, CniError? Error)
{
    /// <summary>True when <see cref="Error"/> is null.</summary>
    public bool IsSuccess => Error is null;

    /// <summary>A success.</summary>
    /// <param name="result">The stdout bytes, or null for commands that print nothing.</param>
    public static CniOutcome Success(byte[]? result = null) => new(result, null);

    /// <summary>A failure.</summary>
    public static CniOutcome Failure(CniError error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return new(null, error);
    }
}
