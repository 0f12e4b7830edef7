namespace Cni.LocalCluster.Support;

/// <summary>The published <c>wincni</c> and <c>wincnid</c>: WINCNI_BIN_DIR (set by <c>Makefile.ps1 test</c>), else the nearest artifacts/bin.</summary>
public static class Binaries
{
    private static readonly Lazy<string> BinDirectory = new(Find);

    public static string Directory => BinDirectory.Value;

    public static string Wincni => Path.Combine(BinDirectory.Value, "wincni");

    public static string Wincnid => Path.Combine(BinDirectory.Value, "wincnid");

    private static string Find()
    {
        if (Environment.GetEnvironmentVariable("WINCNI_BIN_DIR") is { Length: > 0 } configured)
        {
            return HasBoth(configured)
                ? configured
                : throw new FileNotFoundException($"WINCNI_BIN_DIR is {configured} but it lacks wincni or wincnid; run `dotnet pwsh ./Makefile.ps1 publish`");
        }

        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "artifacts", "bin");
            if (HasBoth(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException("the published wincni and wincnid (artifacts/bin; run `dotnet pwsh ./Makefile.ps1 publish`, which the test target does)");
    }

    private static bool HasBoth(string directory) =>
        File.Exists(Path.Combine(directory, "wincni")) && File.Exists(Path.Combine(directory, "wincnid"));
}
