using System.Reflection;

namespace Cni.Daemon;

/// <summary>The daemon's version as built (assembly informational version).</summary>
public static class DaemonVersion
{
    public static string Informational { get; } =
        typeof(DaemonVersion).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";
}
