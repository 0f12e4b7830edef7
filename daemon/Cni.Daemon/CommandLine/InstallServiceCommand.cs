using System.CommandLine;
using Cni.Daemon.Service;

namespace Cni.Daemon.CommandLine;

/// <summary><c>wincnid install-service</c>: wincnid outside Kubernetes, as a Windows service (sc.exe) or a systemd unit.</summary>
internal static class InstallServiceCommand
{
    public static Command Build()
    {
        var command = new Command("install-service", "Install wincnid as a Windows service or a systemd unit running `wincnid run` with the given flags, and start it; --uninstall stops and removes it.");
        var config = new Option<string?>("--config") { Description = "Node config file the service runs with." };
        var kubeconfig = new Option<string?>("--kubeconfig") { Description = "Kubeconfig the service runs with." };
        var dataplane = new Option<string>("--dataplane")
        {
            Description = "hcn or kernel.",
            DefaultValueFactory = _ => OperatingSystem.IsWindows() ? "hcn" : "kernel",
        };
        var unitDir = new Option<string>("--unit-dir") { Description = "systemd unit directory (Linux).", DefaultValueFactory = _ => SystemdServiceInstaller.DefaultUnitDirectory };
        var uninstall = new Option<bool>("--uninstall") { Description = "Stop and remove the service." };
        foreach (var option in new Option[] { config, kubeconfig, dataplane, unitDir, uninstall }) command.Options.Add(option);
        command.SetAction(async (result, cancellationToken) =>
        {
            var arguments = new List<string> { "run", "--dataplane", result.GetValue(dataplane)! };
            if (result.GetValue(config) is { } c) arguments.AddRange(["--config", Path.GetFullPath(c)]);
            if (result.GetValue(kubeconfig) is { } k) arguments.AddRange(["--kubeconfig", Path.GetFullPath(k)]);
            var service = new ServiceDefinition(Environment.ProcessPath ?? throw new InvalidOperationException("wincnid's own path is unknown"), arguments);
            try
            {
                await RunAsync(service, result.GetValue(unitDir)!, result.GetValue(uninstall), new ProcessCommandRunner(), Console.Out, cancellationToken).ConfigureAwait(false);
                return 0;
            }
            catch (Exception e) when (e is ServiceInstallException or IOException or UnauthorizedAccessException or System.ComponentModel.Win32Exception)
            {
                await Console.Error.WriteLineAsync($"wincnid install-service: {e.Message}").ConfigureAwait(false);
                return 2;
            }
        });
        return command;
    }

    /// <summary>Installs or uninstalls on this OS through <paramref name="runner"/>.</summary>
    internal static Task RunAsync(ServiceDefinition service, string unitDirectory, bool uninstall, ICommandRunner runner, TextWriter output, CancellationToken cancellationToken)
    {
        if (OperatingSystem.IsWindows())
        {
            var windows = new WindowsServiceInstaller(runner, output);
            return uninstall ? windows.UninstallAsync(cancellationToken) : windows.InstallAsync(service, cancellationToken);
        }

        var systemd = new SystemdServiceInstaller(runner, unitDirectory, output);
        return uninstall ? systemd.UninstallAsync(cancellationToken) : systemd.InstallAsync(service, cancellationToken);
    }
}
