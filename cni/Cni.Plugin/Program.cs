namespace Cni.Plugin;

/// <summary>The <c>wincni</c> CNI executable: the runtime's environment and stdin in, one CNI document out.</summary>
internal static class Program
{
    private static int Main()
    {
        using var stdin = Console.OpenStandardInput();
        using var stdout = Console.OpenStandardOutput();
        return new PluginRunner(
            Environment.GetEnvironmentVariable,
            stdin,
            stdinIsTerminal: !Console.IsInputRedirected,
            stdout,
            () => Console.Error).Run();
    }
}
