using System.Text.Json.Serialization;

namespace Cni.Hcn.Model.Policies;

/// <summary>Settings of the <c>VSwitchExtension</c> network policy.</summary>
public sealed record VSwitchExtensionPolicySetting : PolicySetting, INetworkPolicySetting
{
    /// <inheritdoc/>
    NetworkPolicyType INetworkPolicySetting.NetworkPolicyType => NetworkPolicyType.VSwitchExtension;

    /// <summary>Extension GUID.</summary>
    [JsonPropertyName("ExtensionID")]
    public string? ExtensionId { get; init; }

    /// <summary>Whether the extension is enabled.</summary>
    public bool Enable { get; init; }
}
