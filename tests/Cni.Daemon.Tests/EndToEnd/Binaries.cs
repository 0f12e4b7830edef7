namespace Cni.Daemon.Tests.EndToEnd;

/// <summary>The published <c>wincni</c> and <c>wincnid</c> (WINCNI_BIN_DIR, else the nearest artifacts/bin), as the plugin tests find them.</summary>
internal static class Binaries
{
    private static readonly Lazy<string> Directory = new(FindDirectory);

    public static string Wincni => Path.Combine(Directory.Value, OperatingSystem.IsWindows() ? "wincni.exe" : "wincni");

    public static string Wincnid => Path.Combine(Directory.Value, OperatingSystem.IsWindows() ? "wincnid.exe" : "wincnid");

    private static string FindDirectory()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable("WINCNI_BIN_DIR");
        if (!string.IsNullOrEmpty(fromEnvironment))
        {
            return HasBoth(fromEnvironment)
                ? fromEnvironment
                : throw new FileNotFoundException($"WINCNI_BIN_DIR is {fromEnvironment} but it lacks wincni or wincnid; run `dotnet pwsh ./Makefile.ps1 publish`");
        }

        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "artifacts", "bin");
            if (HasBoth(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException("the published wincni and wincnid were not found under artifacts/bin; run `dotnet pwsh ./Makefile.ps1 publish` (the test target does this)");
    }

    private static bool HasBoth(string directory) =>
        File.Exists(Path.Combine(directory, OperatingSystem.IsWindows() ? "wincni.exe" : "wincni"))
        && File.Exists(Path.Combine(directory, OperatingSystem.IsWindows() ? "wincnid.exe" : "wincnid"));
}
