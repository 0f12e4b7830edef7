namespace Cni.Hcn.Model.Policies;

/// <summary>
/// The <c>Settings</c> object of a network, endpoint or subnet policy. The concrete type follows the policy's
/// <c>Type</c>; types this model does not know are kept as <see cref="RawPolicySetting"/>.
/// </summary>
public abstract record PolicySetting;
