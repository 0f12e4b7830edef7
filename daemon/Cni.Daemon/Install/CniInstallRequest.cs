namespace Cni.Daemon.Install;

/// <summary>What <see cref="CniInstaller"/> places, and where.</summary>
public sealed record CniInstallRequest
{
    /// <summary>The directory holding the plugin to install (the daemon's own, in the image).</summary>
    public required string SourceDir { get; init; }

    /// <summary>The node's CNI binary directory.</summary>
    public required string BinDir { get; init; }

    /// <summary>The node's CNI configuration directory.</summary>
    public required string ConfDir { get; init; }

    /// <summary>The conflist's file name in <see cref="ConfDir"/>.</summary>
    public string ConflistName { get; init; } = InstallPaths.DefaultConflistName;

    /// <summary>The rendered conflist (<see cref="ConflistRenderer"/>); unused by an uninstall.</summary>
    public string Conflist { get; init; } = string.Empty;
}
