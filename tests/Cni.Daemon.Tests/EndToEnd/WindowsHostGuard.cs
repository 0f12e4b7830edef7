using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using System.Security.Principal;

namespace Cni.Daemon.Tests.EndToEnd;

/// <summary>
/// Gate for the smoke run against real HNS (category <c>Windows</c>): Windows, an elevated process, computenetwork.dll.
/// Other hosts skip it with <see cref="SkipReason"/>; a Windows host lacking something ignores it with the
/// reason, or with CI=true fails it (the Windows workflow never passes by skipping).
/// </summary>
internal static class WindowsHostGuard
{
    /// <summary>Why a Windows host without the opt-in skips these tests.</summary>
    public const string OptInReason = "set WINCNI_HOST_TESTS=1 to run it: it makes HCN networks on this host (the overlay and smoke tests bind the host adapter, as a node's network does)";

    /// <summary>Whether this Windows host opted in (WINCNI_HOST_TESTS=1, as the Windows workflow does).</summary>
    public static bool OptedIn => Environment.GetEnvironmentVariable("WINCNI_HOST_TESTS") == "1";

    public const string SkipReason = "needs a Windows host with HNS (computenetwork.dll) and an elevated process; runs in .github/workflows/windows.yml";

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

        string? problem = !OperatingSystem.IsWindows() ? "Windows"
            : !IsElevated() ? "an elevated (Administrator) process"
            : !NativeLibrary.TryLoad("computenetwork.dll", typeof(WindowsHostGuard).Assembly, DllImportSearchPath.System32, out var library) ? "computenetwork.dll (the Containers feature)"
            : Free(library);
        if (problem is null)
        {
            return;
        }

        if (OperatingSystem.IsWindows() && string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            Assert.Fail($"Windows host test cannot run in CI: {problem}");
        }

        Assert.Ignore($"Windows host test needs {problem}");
    }

    private static string? Free(nint library)
    {
        NativeLibrary.Free(library);
        return null;
    }

    private static bool IsElevated()
    {
        if (!OperatingSystem.IsWindows())
        {
            return false;
        }

        return IsAdministrator();
    }

    [SupportedOSPlatform("windows")]
    private static bool IsAdministrator()
    {
        using var identity = WindowsIdentity.GetCurrent();
        return new WindowsPrincipal(identity).IsInRole(WindowsBuiltInRole.Administrator);
    }
}
