using System.Diagnostics;

namespace Cni.Hcn.Kernel.Tests.Support;

/// <summary>
/// Gate for [Category("Kernel")] tests: they need root, Linux and the <c>ip</c> and <c>nft</c> tools. When CI=true
/// and something is missing the test FAILS with the reason (never a silent skip); elsewhere it is ignored with it.
/// </summary>
internal static class KernelTestGuard
{
    private static readonly Lazy<string?> Problem = new(FindProblem);

    public static void Require()
    {
        if (Problem.Value is not { } reason)
        {
            return;
        }

        if (!OperatingSystem.IsLinux())
        {
            // Not a missing tool but another OS: the Windows CI runs the suites that can run there and skips these.
            Assert.Ignore("Kernel test runs on Linux only (network namespaces, netlink, nftables); the Linux CI runs it");
        }

        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            Assert.Fail($"Kernel test cannot run in CI: {reason}");
        }

        Assert.Ignore($"Kernel test needs {reason}");
    }

    private static string? FindProblem()
    {
        if (!OperatingSystem.IsLinux())
        {
            return "Linux";
        }

        if (Environment.UserName != "root" && !IsRootUid())
        {
            return "root (network namespaces, veth, nftables)";
        }

        foreach (var tool in new[] { "ip", "bridge", "nft", "nsenter" })
        {
            if (!new[] { "/usr/sbin", "/sbin", "/usr/bin", "/bin" }.Any(d => File.Exists(Path.Combine(d, tool))))
            {
                return $"the '{tool}' tool (apt-get install -y iproute2 nftables util-linux)";
            }
        }

        return null;
    }

    private static bool IsRootUid()
    {
        try
        {
            var status = File.ReadAllLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("Uid:", StringComparison.Ordinal));
            return status is not null && status.Split('\t', StringSplitOptions.RemoveEmptyEntries).ElementAtOrDefault(1) == "0";
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>Runs a tool (test set-up only, never the code under test) and returns stdout; throws on failure.</summary>
    public static string Run(string file, string arguments, string? stdin = null, bool check = true)
    {
        var info = new ProcessStartInfo(file, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = stdin is not null,
            UseShellExecute = false,
        };
        using var process = Process.Start(info)!;
        if (stdin is not null)
        {
            process.StandardInput.Write(stdin);
            process.StandardInput.Close();
        }

        var output = process.StandardOutput.ReadToEnd();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (check && process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {arguments} exited {process.ExitCode}: {error.Trim()}");
        }

        return output;
    }
}
