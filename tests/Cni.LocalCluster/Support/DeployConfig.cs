using k8s;
using k8s.Models;
using YamlDotNet.RepresentationModel;

namespace Cni.LocalCluster.Support;

/// <summary>
/// The node config and conflist of deploy/'s ConfigMap, as <c>kubectl kustomize deploy/overlays/mixed-&lt;mode&gt;</c>
/// renders it (the local cluster's nodes are Linux nodes of a mixed cluster), strictly deserialized. The local cluster
/// writes them where the DaemonSet mounts its ConfigMap, so the demo and the E2E tests run what the manifests ship.
/// </summary>
/// <param name="NodeConfig">The ConfigMap's <c>node.yaml</c>.</param>
/// <param name="Conflist">The ConfigMap's <c>10-wincni.conflist</c>.</param>
public sealed record DeployConfig(string NodeConfig, string Conflist)
{
    /// <summary>The ConfigMap's name.</summary>
    public const string ConfigMapName = "wincni-config";

    /// <summary>The overlay a mode without one of its own renders (the mode is then set over its node config).</summary>
    public const string FallbackMode = "l2bridge";

    /// <summary>The conflist's key and file name.</summary>
    public const string ConflistName = "10-wincni.conflist";

    private static readonly Dictionary<string, DeployConfig> Rendered = new(StringComparer.Ordinal);

    /// <summary>The repository's deploy/ directory (found above this assembly).</summary>
    public static string DeployDirectory
    {
        get
        {
            for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            {
                if (File.Exists(Path.Combine(directory.FullName, "Cni.sln"))) return Path.Combine(directory.FullName, "deploy");
            }

            throw new DirectoryNotFoundException("deploy/ (the repository root, Cni.sln, above " + AppContext.BaseDirectory + ")");
        }
    }

    /// <summary>Renders the overlay for <paramref name="mode"/> (once per process) and returns its ConfigMap's files.</summary>
    /// <exception cref="InvalidOperationException">kubectl is missing or the rendering has no usable ConfigMap.</exception>
    public static async Task<DeployConfig> LoadAsync(string mode, CancellationToken cancellationToken)
    {
        lock (Rendered)
        {
            if (Rendered.TryGetValue(mode, out var cached)) return cached;
        }

        // nat (one developer node) and transparent (a static pool per node) ship no overlay of their own: their nodes
        // take l2bridge's ConfigMap with the mode and per-node keys set over it (LocalCluster does).
        var overlay = Path.Combine(DeployDirectory, "overlays", "mixed-" + mode);
        if (!Directory.Exists(overlay))
        {
            overlay = Path.Combine(DeployDirectory, "overlays", "mixed-" + FallbackMode);
        }

        string yaml;
        try
        {
            yaml = await Shell.CheckAsync("kubectl", ["kustomize", overlay], cancellationToken).ConfigureAwait(false);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException("kubectl is needed to render deploy/ (Makefile.ps1 installs Debian's kubernetes-client when it is missing)", e);
        }

        var map = KubernetesYaml.LoadAllFromString(yaml, typeMap: null, strict: true).OfType<V1ConfigMap>().SingleOrDefault(m => m.Metadata.Name == ConfigMapName)
            ?? throw new InvalidOperationException($"kubectl kustomize {overlay} rendered no ConfigMap {ConfigMapName}");
        var config = new DeployConfig(
            map.Data.TryGetValue("node.yaml", out var node) ? node : throw new InvalidOperationException($"ConfigMap {ConfigMapName} has no node.yaml"),
            map.Data.TryGetValue(ConflistName, out var conflist) ? conflist : throw new InvalidOperationException($"ConfigMap {ConfigMapName} has no {ConflistName}"));
        lock (Rendered)
        {
            Rendered[mode] = config;
        }

        return config;
    }

    /// <summary>
    /// The ConfigMap's node config with <paramref name="overrides"/>' top-level keys set (what differs per node of a
    /// cluster that shares one file system: state, socket, health address; or what a test adds).
    /// </summary>
    public string NodeConfigWith(string overrides)
    {
        var merged = LoadMapping(NodeConfig);
        foreach (var (key, value) in LoadMapping(overrides).Children)
        {
            merged.Children[key] = value;
        }

        using var writer = new StringWriter();
        new YamlStream(new YamlDocument(merged)).Save(writer, assignAnchors: false);
        return writer.ToString();
    }

    private static YamlMappingNode LoadMapping(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return stream.Documents.Count == 0 ? new YamlMappingNode() : (YamlMappingNode)stream.Documents[0].RootNode;
    }
}
