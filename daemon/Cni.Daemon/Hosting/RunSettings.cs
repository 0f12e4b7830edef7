using Cni.Hcn.Memory;

namespace Cni.Daemon.Hosting;

/// <summary>What `wincnid run` was asked to do: the config file plus the flags that override it.</summary>
public sealed record RunSettings
{
    public string? ConfigFile { get; init; }

    public string? NodeName { get; init; }

    public string? Kubeconfig { get; init; }

    public string? ApiServer { get; init; }

    /// <summary>--allow-insecure-api-server: credentials may go to an http:// API server (logged loudly at every start).</summary>
    public bool AllowInsecureApiServer { get; init; }

    /// <summary>
    /// Whether wincnid runs as a Kubernetes node agent: a kubeconfig or API server was given, or it runs in a pod
    /// (KUBERNETES_SERVICE_HOST). Otherwise the node config's podCIDRs and nodeIP are all it knows.
    /// </summary>
    public bool UsesKubernetes =>
        !string.IsNullOrEmpty(Kubeconfig) || !string.IsNullOrEmpty(ApiServer)
        || !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("KUBERNETES_SERVICE_HOST"));

    /// <summary>The Node name: --node-name, else $NODE_NAME (the downward API convention), else the host name.</summary>
    public string EffectiveNodeName =>
        NodeName is { Length: > 0 } name ? name
        : Environment.GetEnvironmentVariable("NODE_NAME") is { Length: > 0 } env ? env
        : Environment.MachineName.ToLowerInvariant();

    public DataplaneKind Dataplane { get; init; } = OperatingSystem.IsWindows() ? DataplaneKind.Hcn : DataplaneKind.Memory;

    public string? Socket { get; init; }

    public string? StateDir { get; init; }

    public string? HealthAddress { get; init; }

    /// <summary>
    /// Test seam, not a flag: called with the memory dataplane's emulator once it is loaded, so in-process tests can
    /// inject faults and read call counters without the emulator being a service anyone could resolve.
    /// </summary>
    public Action<MemoryHcn>? MemoryDataplaneOpened { get; init; }
}
