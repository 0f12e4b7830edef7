using System.Text;

namespace Cni.Daemon.Service;

/// <summary>
/// Installs wincnid as a Windows service with sc.exe, as Calico's and flannel's Windows scripts register theirs:
/// automatic start, LocalSystem, after the Host Network Service, restarted by the SCM when it exits (the host exits
/// non-zero on a fatal error, so the recovery actions apply). The uninstall stops and deletes it.
/// </summary>
public sealed class WindowsServiceInstaller(ICommandRunner runner, TextWriter output)
{
    private const string Sc = "sc.exe";

    // sc.exe: 1060 = the service does not exist, 1062 = it is not started.
    private const int ServiceDoesNotExist = 1060;
    private const int ServiceNotActive = 1062;

    /// <summary>The service's command line as the SCM stores it (binPath): every part quoted as CommandLineToArgvW reads it.</summary>
    public static string BinaryPath(ServiceDefinition service)
    {
        ArgumentNullException.ThrowIfNull(service);
        var line = new StringBuilder(QuoteArgument(service.Executable));
        foreach (var argument in service.Arguments) line.Append(' ').Append(QuoteArgument(argument));
        return line.ToString();
    }

    public async Task InstallAsync(ServiceDefinition service, CancellationToken cancellationToken)
    {
        await RunAsync(["create", ServiceDefinition.Name, "binPath=", BinaryPath(service), "start=", "auto", "depend=", "hns", "DisplayName=", "wincni node daemon"], cancellationToken).ConfigureAwait(false);
        await RunAsync(["description", ServiceDefinition.Name, ServiceDefinition.Description], cancellationToken).ConfigureAwait(false);
        await RunAsync(["failure", ServiceDefinition.Name, "reset=", "86400", "actions=", "restart/5000/restart/5000/restart/30000"], cancellationToken).ConfigureAwait(false);
        await RunAsync(["start", ServiceDefinition.Name], cancellationToken).ConfigureAwait(false);
        output.WriteLine($"service {ServiceDefinition.Name} installed and started");
    }

    public async Task UninstallAsync(CancellationToken cancellationToken)
    {
        var stop = await runner.RunAsync(Sc, ["stop", ServiceDefinition.Name], cancellationToken).ConfigureAwait(false);
        if (stop.ExitCode == ServiceDoesNotExist)
        {
            output.WriteLine($"nothing to remove: no service {ServiceDefinition.Name}");
            return;
        }

        if (!stop.Succeeded && stop.ExitCode != ServiceNotActive)
        {
            throw new ServiceInstallException($"{Sc} stop {ServiceDefinition.Name} exited with {stop.ExitCode}: {stop.Output.Trim()}");
        }

        await RunAsync(["delete", ServiceDefinition.Name], cancellationToken).ConfigureAwait(false);
        output.WriteLine($"service {ServiceDefinition.Name} removed");
    }

    private async Task RunAsync(IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        var result = await runner.RunAsync(Sc, arguments, cancellationToken).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            throw new ServiceInstallException($"{Sc} {string.Join(' ', arguments)} exited with {result.ExitCode}: {result.Output.Trim()}");
        }
    }

    // CommandLineToArgvW rules: quote when needed; backslashes before a quote are doubled.
    private static string QuoteArgument(string value)
    {
        if (value.Length > 0 && !value.Any(c => char.IsWhiteSpace(c) || c == '"')) return value;
        var quoted = new StringBuilder("\"");
        var backslashes = 0;
        foreach (var c in value)
        {
            if (c == '\\')
            {
                backslashes++;
                continue;
            }

            quoted.Append('\\', c == '"' ? (backslashes * 2) + 1 : backslashes).Append(c);
            backslashes = 0;
        }

        return quoted.Append('\\', backslashes * 2).Append('"').ToString();
    }
}
