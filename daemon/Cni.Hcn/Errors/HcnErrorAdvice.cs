namespace Cni.Hcn.Errors;

/// <summary>
/// A dataplane's own likely cause and fix for a failure, replacing the HRESULT catalogue's (which speaks of HNS) in an
/// <see cref="HcnException"/>'s message.
/// </summary>
/// <param name="Cause">The likely cause on this node.</param>
/// <param name="Fix">What to do about it.</param>
public readonly record struct HcnErrorAdvice(string Cause, string Fix);
