namespace Cni.Daemon.Service;

/// <summary>Runs a system tool (systemctl, sc.exe); the seam through which the service installers are unit-tested.</summary>
public interface ICommandRunner
{
    /// <summary>Runs <paramref name="file"/> with <paramref name="arguments"/> (each passed as one argument) and returns its exit code and output.</summary>
    Task<CommandResult> RunAsync(string file, IReadOnlyList<string> arguments, CancellationToken cancellationToken);
}

/// <summary>A finished command.</summary>
public sealed record CommandResult(int ExitCode, string Output)
{
    public bool Succeeded => ExitCode == 0;
}
