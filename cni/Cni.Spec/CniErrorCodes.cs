namespace Cni.Spec;

/// <summary>Helpers over <see cref="CniErrorCode"/> that callers need when they accept codes from outside (the daemon).</summary>
public static class CniErrorCodes
{
    /// <summary>
    /// True for the codes the spec assigns (1–8, 11, 50, 51, 999) and for plugin-specific codes (100 and above,
    /// except 999 which the library owns). Unassigned reserved codes (0, 9, 10, 12–49, 52–99) are not valid.
    /// </summary>
    public static bool IsValid(int code) =>
        code is >= 1 and <= 8 or 11 or 50 or 51 or >= 100;

    /// <summary>True only for the codes the spec itself defines (no plugin-specific ones).</summary>
    public static bool IsSpecDefined(int code) =>
        code is >= 1 and <= 8 or 11 or 50 or 51 or 999;
}
