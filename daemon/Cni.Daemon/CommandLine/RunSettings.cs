namespace Cni.Daemon.CommandLine;

/// <summary>What `wincnid run` was asked to do: the config file plus the flags that override it.</summary>
public sealed record RunSettings
{
    public string? ConfigFile { get; init; }

    public string? NodeName { get; init; }

    public string? Kubeconfig { get; init; }

    public Dataplane Dataplane { get; init; } = OperatingSystem.IsWindows() ? Dataplane.Hcn : Dataplane.Memory;

    public string? Socket { get; init; }

    public string? StateDir { get; init; }

    public string? HealthAddress { get; init; }
}
