namespace Cni.Spec;

/// <summary>
/// The CNI_* values of one invocation: read from the process environment by the plugin, taken from the forwarded
/// request by wincnid. Null or empty means "not set".
/// </summary>
/// <param name="Command">CNI_COMMAND.</param>
/// <param name="ContainerId">CNI_CONTAINERID.</param>
/// <param name="Netns">CNI_NETNS.</param>
/// <param name="IfName">CNI_IFNAME.</param>
/// <param name="Args">CNI_ARGS.</param>
/// <param name="Path">CNI_PATH.</param>
public readonly record struct PluginEnvironment(string? Command, string? ContainerId, string? Netns, string? IfName, string? Args, string? Path)
{
    /// <summary>Reads the six variables through <paramref name="getEnvironmentVariable"/>.</summary>
    /// <param name="getEnvironmentVariable">The environment lookup.</param>
    /// <returns>The values.</returns>
    public static PluginEnvironment Read(Func<string, string?> getEnvironmentVariable)
    {
        ArgumentNullException.ThrowIfNull(getEnvironmentVariable);
        return new(
            getEnvironmentVariable(CniEnvironment.Command),
            getEnvironmentVariable(CniEnvironment.ContainerId),
            getEnvironmentVariable(CniEnvironment.Netns),
            getEnvironmentVariable(CniEnvironment.IfName),
            getEnvironmentVariable(CniEnvironment.Args),
            getEnvironmentVariable(CniEnvironment.Path));
    }

    /// <summary>The value of the variable named <paramref name="name"/> (the spec's names, for "missing" errors).</summary>
    /// <param name="name">A <see cref="CniEnvironment"/> name.</param>
    /// <returns>The value, or null.</returns>
    public string? ValueOf(string name) => name switch
    {
        CniEnvironment.Command => Command,
        CniEnvironment.ContainerId => ContainerId,
        CniEnvironment.Netns => Netns,
        CniEnvironment.IfName => IfName,
        CniEnvironment.Args => Args,
        CniEnvironment.Path => Path,
        _ => null,
    };
}
