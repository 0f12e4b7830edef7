using Cni.Node.Tests.Ipam;

namespace Cni.Node.Tests;

/// <summary>
/// Entry point used only when a test starts this assembly as a child process
/// (<c>dotnet exec Cni.Node.Tests.dll &lt;verb&gt; ...</c>) so it can SIGKILL a real process; the test runner never calls it.
/// </summary>
internal static class Program
{
    public static async Task<int> Main(string[] args) => args switch
    {
        [IpamCrashChild.Verb, .. var rest] => await IpamCrashChild.RunAsync(rest),
        _ => 2,
    };
}
