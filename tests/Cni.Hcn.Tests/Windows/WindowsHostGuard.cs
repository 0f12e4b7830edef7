using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using System.Security.Principal;

namespace Cni.Hcn.Tests.Windows;

/// <summary>
/// Gate for tests against the real HNS and IP stack of a Windows host (categories <c>Windows</c> and
/// <c>FidelityProbe</c>): they need Windows, an elevated process and computenetwork.dll (the Containers feature).
/// Elsewhere they are skipped by their <c>[Platform]</c> attribute; on a Windows host that lacks something they are
/// ignored with the reason, and with CI=true they FAIL (the Windows workflow must never pass by skipping).
/// </summary>
internal static class WindowsHostGuard
{
    /// <summary>The reason the <c>[Platform]</c> attributes of these fixtures give on other hosts.</summary>
    public const string SkipReason = "needs a Windows host with HNS (computenetwork.dll) and an elevated process; runs in .github/workflows/windows.yml";

    private static readonly Lazy<string?> Problem = new(FindProblem);

    public static void Require()
    {
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
