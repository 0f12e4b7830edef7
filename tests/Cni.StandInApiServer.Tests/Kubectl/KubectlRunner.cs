using System.Diagnostics;

namespace Cni.StandInApiServer.Tests.Kubectl;

/// <summary>Runs the real kubectl against a stand-in server with its own KUBECONFIG and a temp HOME (fresh discovery
/// cache, nothing written to the user's home).</summary>
internal sealed class KubectlRunner : IDisposable
{
    /// <summary>
    /// The first kubectl of /usr/local/bin and /usr/bin (.ci/run puts Debian's in /usr/local/bin when the image has
    /// none); on Windows the first kubectl.exe on PATH (the GitHub Windows images carry one).
    /// </summary>
    public static readonly string KubectlPath = OperatingSystem.IsWindows()
        ? (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(d => Path.Combine(d, "kubectl.exe")).FirstOrDefault(File.Exists) ?? "kubectl.exe"
        : new[] { "/usr/local/bin/kubectl", "/usr/bin/kubectl" }.FirstOrDefault(File.Exists) ?? "/usr/bin/kubectl";

    private readonly string _home;

    public KubectlRunner(StandInApiServer server)
    {
        _home = Directory.CreateTempSubdirectory("standin-kubectl-").FullName;
        Kubeconfig = server.WriteKubeconfig(Path.Combine(_home, "kubeconfig"));
    }

    public string Kubeconfig { get; }

    public string Home => _home;

    /// <summary>Ignores (or, with CI=true, fails) the test when kubectl is not installed.</summary>
    public static void RequireKubectl()
    {
        if (File.Exists(KubectlPath)) return;
        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            Assert.Fail($"{KubectlPath} is missing: install kubectl (v1.32) to run the Tools tests");
        }

        Assert.Ignore($"{KubectlPath} is missing");
    }

    public ProcessStartInfo StartInfo(params string[] args)
    {
        var info = new ProcessStartInfo(KubectlPath)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var a in args) info.ArgumentList.Add(a);
        info.Environment["KUBECONFIG"] = Kubeconfig;
        info.Environment["HOME"] = _home;
        return info;
    }

    public async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(params string[] args)
    {
        using var process = Process.Start(StartInfo(args))!;
        process.StandardInput.Close();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var stdout = process.StandardOutput.ReadToEndAsync(cts.Token);
        var stderr = process.StandardError.ReadToEndAsync(cts.Token);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return (process.ExitCode, await stdout, await stderr);
    }

    public async Task<string> RunOkAsync(params string[] args)
    {
        var (code, stdout, stderr) = await RunAsync(args);
        Assert.That(code, Is.Zero, $"kubectl {string.Join(' ', args)} failed:\n{stderr}\n{stdout}");
        return stdout;
    }

    public string WriteFile(string name, string content)
    {
        var path = Path.Combine(_home, name);
        File.WriteAllText(path, content);
        return path;
    }

    public void Dispose() => Directory.Delete(_home, recursive: true);
}
