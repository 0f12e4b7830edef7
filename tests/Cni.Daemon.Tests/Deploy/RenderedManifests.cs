using System.Diagnostics;
using k8s;
using k8s.Models;

namespace Cni.Daemon.Tests.Deploy;

/// <summary>deploy/ rendered by the real <c>kubectl kustomize</c> and loaded with KubernetesClient's strict YAML
/// deserializer (an unknown or misspelt field fails). Without kubectl: a failure under CI=true, else ignored.</summary>
internal static class RenderedManifests
{
    public static string RepositoryRoot { get; } = FindRoot();

    public static string DeployDirectory => Path.Combine(RepositoryRoot, "deploy");

    /// <summary>Every overlay directory's name.</summary>
    public static IEnumerable<string> Overlays() =>
        Directory.GetDirectories(Path.Combine(FindRoot(), "deploy", "overlays")).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal);

    public static string RenderText(string kustomizationDirectory)
    {
        var kubectl = FindKubectl();
        var start = new ProcessStartInfo(kubectl, ["kustomize", kustomizationDirectory]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.That(process.ExitCode, Is.Zero, $"kubectl kustomize {kustomizationDirectory}: {stderr}");
        return stdout.Result;
    }

    public static IReadOnlyList<object> Render(string kustomizationDirectory) =>
        KubernetesYaml.LoadAllFromString(RenderText(kustomizationDirectory), typeMap: null, strict: true);

    public static IReadOnlyList<object> RenderOverlay(string overlay) => Render(Path.Combine(DeployDirectory, "overlays", overlay));

    public static T Single<T>(IReadOnlyList<object> objects, string? name = null)
        where T : IKubernetesObject<V1ObjectMeta> =>
        objects.OfType<T>().Single(o => name is null || o.Metadata.Name == name);

    private static string FindKubectl()
    {
        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(directory, OperatingSystem.IsWindows() ? "kubectl.exe" : "kubectl");
            if (File.Exists(candidate)) return candidate;
        }

        const string missing = "kubectl is not on PATH (.ci/run installs Debian's kubernetes-client when none is there)";
        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase)) Assert.Fail(missing);
        Assert.Ignore(missing);
        return null!;
    }

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Cni.sln"))) return directory.FullName;
        }

        throw new DirectoryNotFoundException("the repository root (Cni.sln) above " + AppContext.BaseDirectory);
    }
}
