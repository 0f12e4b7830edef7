namespace Cni.E2E.Harness;

/// <summary>
/// Gate for the E2E tests: Linux, root and the tools a test names. With CI=true a missing requirement FAILS the test
/// with the reason (never a silent skip); elsewhere the test is ignored with it.
/// </summary>
internal static class E2EGuard
{
    private static readonly string[] ToolDirectories = ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"];

    public static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>Requires Linux, root, iproute2, nftables, busybox and the published binaries, plus <paramref name="tools"/>.</summary>
    public static void Require(params string[] tools)
    {
        if (!OperatingSystem.IsLinux())
        {
            // Not a missing tool but another OS: the Windows CI runs the suites that can run there and skips these.
            Assert.Ignore("E2E test runs on Linux only (network namespaces, the kernel dataplane); the Linux CI runs it");
        }

        if (FindProblem(tools) is { } reason)
        {
            Unavailable(reason);
        }
    }

    /// <summary>Fails (CI) or ignores (elsewhere) with the reason.</summary>
    public static void Unavailable(string reason)
    {
        if (IsCi)
        {
            Assert.Fail($"E2E test cannot run in CI: {reason}");
        }

        Assert.Ignore($"E2E test needs {reason}");
    }

    /// <summary>The full path of a tool, or null.</summary>
    public static string? Which(string tool) =>
        ToolDirectories.Select(d => Path.Combine(d, tool)).FirstOrDefault(File.Exists);

    private static string? FindProblem(string[] tools)
    {
        if (!OperatingSystem.IsLinux())
        {
            return "Linux";
        }

        if (!IsRoot())
        {
            return "root (network namespaces, veth, nftables)";
        }

        foreach (var (tool, package) in new[] { ("ip", "iproute2"), ("nft", "nftables"), ("busybox", "busybox-static"), ("unshare", "util-linux") }
            .Concat(tools.Select(t => (t, t))))
        {
            if (Which(tool) is null)
            {
                return $"the '{tool}' tool (apt-get install -y {package})";
            }
        }

        try
        {
            _ = Binaries.Wincni;
        }
        catch (FileNotFoundException ex)
        {
            return ex.Message;
        }

        return null;
    }

    private static bool IsRoot()
    {
        var uid = File.ReadAllLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("Uid:", StringComparison.Ordinal));
        return uid?.Split('\t', StringSplitOptions.RemoveEmptyEntries).ElementAtOrDefault(1) == "0";
    }
}
