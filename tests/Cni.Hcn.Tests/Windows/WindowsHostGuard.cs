using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using System.Security.Principal;

namespace Cni.Hcn.Tests.Windows;

/// <summary>
/// Gate for tests against the real HNS and IP stack of a Windows host (categories <c>Windows</c> and
/// <c>FidelityProbe</c>): they need Windows, an elevated process and computenetwork.dll (the Containers feature).
/// Elsewhere they are skipped with <see cref="SkipReason"/>; on a Windows host that lacks something they are
/// ignored with the reason, and with CI=true they FAIL (the Windows workflow must never pass by skipping). A Windows host runs them only when it opts in
/// (WINCNI_HOST_TESTS=1): they change the host's networking.
/// </summary>
internal static class WindowsHostGuard
{
    /// <summary>Why other hosts skip these tests.</summary>
    /// <summary>Why a Windows host without the opt-in skips these tests.</summary>
    public const string OptInReason = "set WINCNI_HOST_TESTS=1 to run it: it makes HCN networks on this host (the overlay and smoke tests bind the host adapter, as a node's network does)";

    /// <summary>Whether this Windows host opted in (WINCNI_HOST_TESTS=1, as the Windows workflow does).</summary>
    public static bool OptedIn => Environment.GetEnvironmentVariable("WINCNI_HOST_TESTS") == "1";

    public const string SkipReason = "needs a Windows host with HNS (computenetwork.dll) and an elevated process; runs in .github/workflows/windows.yml";

    private static readonly Lazy<string?> Problem = new(FindProblem);

    public static void Require()
    {
        if (!OperatingSystem.IsWindows())
        {
            Assert.Ignore(SkipReason);
        }

        if (!OptedIn)
        {
            Assert.Ignore(OptInReason);
        }

        if (Problem.Value is not { } reason)
        {
            return;
        }

        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase) && OperatingSystem.IsWindows())
        {
            Assert.Fail($"Windows host test cannot run in CI: {reason}");
        }

        Assert.Ignore($"Windows host test needs {reason}");
    }

    private static string? FindProblem()
    {
        if (!OperatingSystem.IsWindows())
        {
            return "Windows";
        }

        if (!IsElevated())
        {
            return "an elevated (Administrator) process";
        }

        if (!NativeLibrary.TryLoad("computenetwork.dll", typeof(WindowsHostGuard).Assembly, DllImportSearchPath.System32, out var library))
        {
            return "computenetwork.dll (Enable-WindowsOptionalFeature -Online -FeatureName Containers)";
        }

        NativeLibrary.Free(library);
        return null;
    }

    [SupportedOSPlatform("windows")]
    private static bool IsElevated()
    {
        using var identity = WindowsIdentity.GetCurrent();
        return new WindowsPrincipal(identity).IsInRole(WindowsBuiltInRole.Administrator);
    }
}
