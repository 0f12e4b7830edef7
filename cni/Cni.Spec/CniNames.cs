using System.Text;

namespace Cni.Spec;

/// <summary>
/// The identifier rules of the reference library (pkg/utils): network name, container ID and interface name.
/// Each Validate method throws the reference's code and message; each Is method answers without throwing.
/// </summary>
public static class CniNames
{
    /// <summary>Longest interface name Linux accepts (IFNAMSIZ - 1), in bytes.</summary>
    public const int MaxInterfaceNameBytes = 15;

    /// <summary><c>^[A-Za-z0-9][A-Za-z0-9_.-]*$</c>: network names and container IDs.</summary>
    public static bool IsValidIdentifier(string? value)
    {
        if (string.IsNullOrEmpty(value) || !char.IsAsciiLetterOrDigit(value[0]))
        {
            return false;
        }

        foreach (var c in value)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('_' or '.' or '-'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Code 7: missing or invalid network name.</summary>
    public static void ValidateNetworkName(string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            throw new CniException(CniErrorCode.InvalidNetworkConfig, "missing network name");
        }

        if (!IsValidIdentifier(name))
        {
            throw new CniException(
                CniErrorCode.InvalidNetworkConfig,
                "invalid characters found in network name",
                "name " + Json.JsonPath.Quote(name) + " must match ^[A-Za-z0-9][A-Za-z0-9_.-]*$");
        }
    }

    /// <summary>Code 4 naming CNI_CONTAINERID for bad characters (an empty ID was already reported as a missing CNI_CONTAINERID).</summary>
    public static void ValidateContainerId(string? containerId)
    {
        if (string.IsNullOrEmpty(containerId))
        {
            throw new CniException(CniErrorCode.InvalidEnvironmentVariables, "required env variables [CNI_CONTAINERID] missing");
        }

        if (!IsValidIdentifier(containerId))
        {
            throw new CniException(
                CniErrorCode.InvalidEnvironmentVariables,
                "CNI_CONTAINERID: invalid characters in containerID",
                "CNI_CONTAINERID " + Json.JsonPath.Quote(containerId) + " must match ^[A-Za-z0-9][A-Za-z0-9_.-]*$");
        }
    }

    /// <summary>The interface-name problem, or null: 1–15 bytes, not "." or "..", no '/', ':' or whitespace.</summary>
    public static string? FindInterfaceNameProblem(string? ifName)
    {
        if (string.IsNullOrEmpty(ifName))
        {
            return "interface name is empty";
        }

        if (Encoding.UTF8.GetByteCount(ifName) > MaxInterfaceNameBytes)
        {
            return "interface name is too long";
        }

        if (ifName is "." or "..")
        {
            return "interface name is . or ..";
        }

        foreach (var c in ifName)
        {
            if (c is '/' or ':' || char.IsWhiteSpace(c))
            {
                return "interface name contains / or : or whitespace characters";
            }
        }

        return null;
    }

    /// <summary>Code 4; the message names CNI_IFNAME and the reference's problem text.</summary>
    public static void ValidateInterfaceName(string? ifName)
    {
        if (FindInterfaceNameProblem(ifName) is { } problem)
        {
            throw new CniException(
                CniErrorCode.InvalidEnvironmentVariables,
                "CNI_IFNAME: " + problem,
                "CNI_IFNAME " + Json.JsonPath.Quote(ifName) + " must be 1-15 bytes, not . or .., without /, : or whitespace");
        }
    }

    /// <summary>A plugin <c>type</c>: a binary name, so no path separators.</summary>
    public static bool IsValidPluginType(string? type) =>
        !string.IsNullOrEmpty(type) && !type.Contains('/', StringComparison.Ordinal) && !type.Contains('\\', StringComparison.Ordinal);
}
