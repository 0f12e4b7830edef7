namespace Cni.Daemon.Service;

/// <summary>Installs wincnid as a systemd unit: writes the unit (write then rename), reloads systemd, enables and
/// starts it; the uninstall stops, disables and removes it.</summary>
public sealed class SystemdServiceInstaller(ICommandRunner runner, string unitDirectory, TextWriter output)
{
    /// <summary>The unit directory for units an administrator installs.</summary>
    public const string DefaultUnitDirectory = "/etc/systemd/system";

    private string UnitPath => Path.Combine(unitDirectory, ServiceDefinition.Name + ".service");

    public async Task InstallAsync(ServiceDefinition service, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(unitDirectory);
        var staged = UnitPath + ".wincni-tmp";
        await File.WriteAllTextAsync(staged, SystemdUnit.Render(service), cancellationToken).ConfigureAwait(false);
        File.Move(staged, UnitPath, overwrite: true);
        output.WriteLine($"wrote {UnitPath}");
        await RunAsync(["daemon-reload"], cancellationToken).ConfigureAwait(false);
        await RunAsync(["enable", "--now", ServiceDefinition.Name + ".service"], cancellationToken).ConfigureAwait(false);
        output.WriteLine($"{ServiceDefinition.Name}.service enabled and started");
    }

    public async Task UninstallAsync(CancellationToken cancellationToken)
    {
        if (!File.Exists(UnitPath))
        {
            output.WriteLine($"nothing to remove: no {UnitPath}");
            return;
        }

        await RunAsync(["disable", "--now", ServiceDefinition.Name + ".service"], cancellationToken).ConfigureAwait(false);
        File.Delete(UnitPath);
        output.WriteLine($"removed {UnitPath}");
        await RunAsync(["daemon-reload"], cancellationToken).ConfigureAwait(false);
    }

    private async Task RunAsync(IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        var result = await runner.RunAsync("systemctl", arguments, cancellationToken).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            throw new ServiceInstallException($"systemctl {string.Join(' ', arguments)} exited with {result.ExitCode}: {result.Output.Trim()}");
        }
    }
}
