namespace Cni.Spec;

/// <summary>
/// The CNI_* environment variables and which commands require them. Spec rules (containernetworking/cni SPEC.md,
/// 'Parameters'), not the stricter ones of its pkg/skel, which demands CNI_PATH for every command but VERSION: CNI_PATH
/// is required only for GC, and DEL does not need CNI_NETNS. An empty value counts as missing.
/// </summary>
public static class CniEnvironment
{
    public const string Command = "CNI_COMMAND";
    public const string ContainerId = "CNI_CONTAINERID";
    public const string Netns = "CNI_NETNS";
    public const string IfName = "CNI_IFNAME";
    public const string Args = "CNI_ARGS";
    public const string Path = "CNI_PATH";

    /// <summary>The variables <paramref name="command"/> requires, in the order the reference reports them.</summary>
    public static IReadOnlyList<string> RequiredFor(CniCommand command) => command switch
    {
        CniCommand.Add or CniCommand.Check => [ContainerId, Netns, IfName],
        CniCommand.Del => [ContainerId, IfName],
        CniCommand.Gc => [Path],
        _ => [],
    };

    /// <summary>Code 4 naming every missing variable: <c>required env variables [CNI_NETNS,CNI_IFNAME] missing</c>.</summary>
    public static void EnsureRequired(CniCommand command, Func<string, string?> getEnvironmentVariable)
    {
        ArgumentNullException.ThrowIfNull(getEnvironmentVariable);
        var missing = RequiredFor(command).Where(name => string.IsNullOrEmpty(getEnvironmentVariable(name))).ToList();
        if (missing.Count > 0)
        {
            throw new CniException(
                CniErrorCode.InvalidEnvironmentVariables,
                "required env variables [" + string.Join(',', missing) + "] missing",
                command.ToWireName() + " requires " + string.Join(", ", RequiredFor(command)));
        }
    }

    /// <summary>
    /// Splits CNI_PATH with the platform's list separator (';' on Windows, ':' elsewhere); empty entries are dropped.
    /// </summary>
    public static IReadOnlyList<string> SplitPath(string? cniPath, bool windows)
    {
        if (string.IsNullOrEmpty(cniPath))
        {
            return [];
        }

        return cniPath.Split(windows ? ';' : ':', StringSplitOptions.RemoveEmptyEntries);
    }
}
