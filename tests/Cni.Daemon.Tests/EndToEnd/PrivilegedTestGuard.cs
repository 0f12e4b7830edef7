namespace Cni.Daemon.Tests.EndToEnd;

/// <summary>
/// Gate for [Category("Kernel")] tests of this project: they need Linux, root and a few tools (chattr, unshare, mount).
/// With CI=true a missing piece FAILS the test with the reason (never a silent skip); elsewhere it is ignored with it.
/// </summary>
internal static class PrivilegedTestGuard
{
    public static void Require(params string[] tools)
    {
        if (FindProblem(tools) is not { } reason)
        {
            return;
        }

        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            Assert.Fail($"Kernel test cannot run in CI: it needs {reason}");
        }

        Assert.Ignore($"Kernel test needs {reason}");
    }

    private static string? FindProblem(string[] tools)
    {
        if (!OperatingSystem.IsLinux())
        {
            return "Linux";
        }

        if (!IsRoot())
        {
            return "root";
        }

        foreach (var tool in tools)
        {
            if (!new[] { "/usr/sbin", "/sbin", "/usr/bin", "/bin" }.Any(d => File.Exists(Path.Combine(d, tool))))
            {
                return $"the '{tool}' tool (apt-get install -y e2fsprogs util-linux)";
            }
        }

        return null;
    }

    private static bool IsRoot()
    {
        try
        {
            var uid = File.ReadAllLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("Uid:", StringComparison.Ordinal));
            return uid is not null && uid.Split('\t', StringSplitOptions.RemoveEmptyEntries).ElementAtOrDefault(1) == "0";
        }
        catch (IOException)
        {
            return false;
        }
    }
}
