namespace Cni.Node.Ipam;

/// <summary>
/// Who holds a lease: the CNI network and, when known, the netns and pod. Kept in the journal so GC can scope
/// to a network and <c>wincnid status</c> can show the pod. Validated on construction; errors name the field.
/// </summary>
public sealed record LeaseOwner
{
    /// <summary>Longest network name accepted.</summary>
    public const int MaxNetworkNameLength = 255;

    /// <summary>Longest netns path accepted.</summary>
    public const int MaxNetnsLength = 4096;

    /// <summary>Longest pod namespace or name accepted (a DNS subdomain).</summary>
    public const int MaxPodFieldLength = 253;

    /// <summary>Creates validated owner metadata.</summary>
    public LeaseOwner(string networkName, string? netns = null, string? podNamespace = null, string? podName = null)
    {
        ValidateNetworkName(networkName);
        ValidateOptional(netns, "netns", MaxNetnsLength);
        ValidateOptional(podNamespace, "podNamespace", MaxPodFieldLength);
        ValidateOptional(podName, "podName", MaxPodFieldLength);
        NetworkName = networkName;
        Netns = string.IsNullOrEmpty(netns) ? null : netns;
        PodNamespace = string.IsNullOrEmpty(podNamespace) ? null : podNamespace;
        PodName = string.IsNullOrEmpty(podName) ? null : podName;
    }

    /// <summary>The CNI network name (the conflist's <c>name</c>).</summary>
    public string NetworkName { get; }

    /// <summary>The container's network namespace path, or null.</summary>
    public string? Netns { get; }

    /// <summary>K8S_POD_NAMESPACE, or null.</summary>
    public string? PodNamespace { get; }

    /// <summary>K8S_POD_NAME, or null.</summary>
    public string? PodName { get; }

    private static void ValidateNetworkName(string? networkName)
    {
        const string Field = "networkName";
        if (string.IsNullOrEmpty(networkName))
        {
            throw new ArgumentException($"{Field}: must not be empty.", Field);
        }

        if (networkName.Length > MaxNetworkNameLength)
        {
            throw new ArgumentException($"{Field}: is {networkName.Length} characters long; at most {MaxNetworkNameLength} are allowed.", Field);
        }

        // libcni network name rule: ^[a-zA-Z0-9][a-zA-Z0-9_.\-]*$
        for (var i = 0; i < networkName.Length; i++)
        {
            var ch = networkName[i];
            if (!(char.IsAsciiLetterOrDigit(ch) || (i > 0 && ch is '_' or '.' or '-')))
            {
                throw new ArgumentException(
                    $"{Field}: '{InputText.Quote(networkName)}' has an invalid character at position {i}; only letters, digits, '_', '.' and '-' are allowed, and it must start with a letter or digit.",
                    Field);
            }
        }
    }

    private static void ValidateOptional(string? value, string field, int maxLength)
    {
        if (value is null)
        {
            return;
        }

        if (value.Length > maxLength)
        {
            throw new ArgumentException($"{field}: is {value.Length} characters long; at most {maxLength} are allowed.", field);
        }

        foreach (var ch in value)
        {
            if (char.IsControl(ch) || char.IsSurrogate(ch))
            {
                throw new ArgumentException($"{field}: '{InputText.Quote(value)}' contains a control or unpaired surrogate character.", field);
            }
        }
    }
}
