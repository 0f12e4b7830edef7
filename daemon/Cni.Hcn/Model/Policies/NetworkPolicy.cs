using System.Text.Json.Serialization;
using Cni.Hcn.Json;

namespace Cni.Hcn.Model.Policies;

/// <summary>
/// A network policy (hcsshim hcn/hcnpolicy.go): <c>{"Type": "...", "Settings": {...}}</c>. <see cref="Settings"/> is the typed record for
/// <see cref="Type"/>, or a <see cref="RawPolicySetting"/> when the type is unknown or its settings do not fit.
/// </summary>
[JsonConverter(typeof(NetworkPolicyConverter))]
public sealed record NetworkPolicy
{
    /// <summary>The policy type (always written).</summary>
    public NetworkPolicyType Type { get; init; }

    /// <summary>The settings; <see langword="null"/> means the member is omitted.</summary>
    public PolicySetting? Settings { get; init; }

    /// <summary>A policy whose type is the one <paramref name="settings"/> belong to.</summary>
    /// <typeparam name="T">The settings record.</typeparam>
    public static NetworkPolicy Create<T>(T settings)
        where T : PolicySetting, INetworkPolicySetting
    {
        ArgumentNullException.ThrowIfNull(settings);
        return new() { Type = settings.NetworkPolicyType, Settings = settings };
    }

    /// <summary>The settings as <typeparamref name="T"/>, or <see langword="null"/> when they are something else.</summary>
    /// <typeparam name="T">The expected settings record.</typeparam>
    /// <returns>The typed settings or null.</returns>
    public T? GetSettings<T>()
        where T : PolicySetting => Settings as T;
}
