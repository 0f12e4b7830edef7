namespace Cni.Node.Ipam;

/// <summary>
/// Identifies a lease: the CNI attachment (CNI_CONTAINERID, CNI_IFNAME). Validated on construction with the
/// libcni rules, so a bad value fails with an <see cref="ArgumentException"/> naming <c>containerId</c> or
/// <c>ifName</c> before anything is allocated or written.
/// </summary>
public readonly record struct LeaseKey
{
    /// <summary>Longest container ID accepted; runtimes use 64 hex characters, this bounds journal records.</summary>
    public const int MaxContainerIdLength = 1024;

    /// <summary>Longest interface name (Linux IFNAMSIZ − 1, as libcni enforces).</summary>
    public const int MaxIfNameLength = 15;

    /// <summary>Creates a validated key.</summary>
    public LeaseKey(string containerId, string ifName)
    {
        ValidateContainerId(containerId);
        ValidateIfName(ifName);
        ContainerId = containerId;
        IfName = ifName;
    }

    /// <summary>The container (sandbox) ID.</summary>
    public string ContainerId { get; }

    /// <summary>The interface name inside the container, e.g. eth0.</summary>
    public string IfName { get; }

    /// <inheritdoc/>
    public override string ToString() => $"{ContainerId}/{IfName}";

    /// <summary>Throws if <paramref name="key"/> is <c>default</c> (never constructed, so never validated).</summary>
    internal static void ThrowIfDefault(LeaseKey key, string paramName)
    {
        if (key.ContainerId is null || key.IfName is null)
        {
            throw new ArgumentException($"{paramName}: the lease key is empty (default(LeaseKey)); construct it with a container ID and interface name.", paramName);
        }
    }

    private static void ValidateContainerId(string? containerId)
    {
        const string Field = "containerId";
        if (string.IsNullOrEmpty(containerId))
        {
            throw new ArgumentException($"{Field}: must not be empty.", Field);
        }

        if (containerId.Length > MaxContainerIdLength)
        {
            throw new ArgumentException($"{Field}: is {containerId.Length} characters long; at most {MaxContainerIdLength} are allowed.", Field);
        }

        // libcni ValidateContainerID: ^[a-zA-Z0-9][a-zA-Z0-9_.\-]*$
        for (var i = 0; i < containerId.Length; i++)
        {
            var ch = containerId[i];
            var ok = char.IsAsciiLetterOrDigit(ch) || (i > 0 && ch is '_' or '.' or '-');
            if (!ok)
            {
                throw new ArgumentException(
                    $"{Field}: '{InputText.Quote(containerId)}' has an invalid character at position {i}; only letters, digits, '_', '.' and '-' are allowed, and it must start with a letter or digit.",
                    Field);
            }
        }
    }

    private static void ValidateIfName(string? ifName)
    {
        const string Field = "ifName";
        if (string.IsNullOrEmpty(ifName))
        {
            throw new ArgumentException($"{Field}: must not be empty.", Field);
        }

        if (ifName.Length > MaxIfNameLength)
        {
            throw new ArgumentException($"{Field}: '{InputText.Quote(ifName)}' is {ifName.Length} characters long; at most {MaxIfNameLength} are allowed.", Field);
        }

        if (ifName is "." or "..")
        {
            throw new ArgumentException($"{Field}: '{ifName}' is not a valid interface name.", Field);
        }

        // libcni ValidateInterfaceName: no '/', ':' or whitespace; control characters are refused too.
        foreach (var ch in ifName)
        {
            if (ch is '/' or ':' || char.IsWhiteSpace(ch) || char.IsControl(ch))
            {
                throw new ArgumentException($"{Field}: '{InputText.Quote(ifName)}' contains '{InputText.Quote(ch.ToString())}'; '/', ':', whitespace and control characters are not allowed.", Field);
            }
        }
    }
}
