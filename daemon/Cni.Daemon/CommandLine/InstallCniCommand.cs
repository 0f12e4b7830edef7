using System.CommandLine;
using Cni.Daemon.Configuration;
using Cni.Daemon.Install;

namespace Cni.Daemon.CommandLine;

/// <summary><c>wincnid install-cni</c>: the DaemonSet's init container (see <see cref="CniInstaller"/>).</summary>
internal static class InstallCniCommand
{
    public static Command Build()
    {
        var paths = InstallPaths.Current;
        var command = new Command("install-cni", "Place wincni and the conflist in the node's CNI directories (write then rename; idempotent), or remove what was placed.");
        var binDir = new Option<string>("--cni-bin-dir") { Description = "The CNI binary directory.", DefaultValueFactory = _ => paths.DefaultBinDir };
        var confDir = new Option<string>("--cni-conf-dir") { Description = "The CNI configuration directory.", DefaultValueFactory = _ => paths.DefaultConfDir };
        var conflist = new Option<string?>("--conflist") { Description = "The conflist to render (the ConfigMap's); default: the one deploy/base ships." };
        var conflistName = new Option<string>("--conflist-name") { Description = "The conflist's file name (containerd reads the first by name).", DefaultValueFactory = _ => InstallPaths.DefaultConflistName };
        var config = new Option<string?>("--config") { Description = "wincnid's node config: the conflist gets its networkName and socket." };
        var sourceDir = new Option<string>("--source-dir") { Description = $"Where {paths.PluginFileName} is (default: beside wincnid).", DefaultValueFactory = _ => AppContext.BaseDirectory };
        var uninstall = new Option<bool>("--uninstall") { Description = "Remove the files an install placed (only those still unchanged)." };
        foreach (var option in new Option[] { binDir, confDir, conflist, conflistName, config, sourceDir, uninstall }) command.Options.Add(option);
        command.SetAction(result => Run(
            new CniInstallRequest
            {
                SourceDir = result.GetValue(sourceDir)!,
                BinDir = result.GetValue(binDir)!,
                ConfDir = result.GetValue(confDir)!,
                ConflistName = result.GetValue(conflistName)!,
            },
            result.GetValue(conflist),
            result.GetValue(config),
            result.GetValue(uninstall)));
        return command;
    }

    private static int Run(CniInstallRequest request, string? conflistFile, string? configFile, bool uninstall)
    {
        var installer = new CniInstaller(new PhysicalInstallFileSystem(), InstallPaths.Current, Console.Out, Environment.ProcessId);
        try
        {
            if (uninstall)
            {
                installer.Uninstall(request);
                return 0;
            }

            var options = configFile is null ? new Cni.Node.Configuration.NodeOptions() : NodeConfigLoader.LoadFile(configFile);
            string text;
            try
            {
                text = conflistFile is null ? ConflistRenderer.DefaultConflist : File.ReadAllText(conflistFile);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new InstallException($"--conflist: cannot read {conflistFile}: {e.Message}", e);
            }

            var rendered = ConflistRenderer.Render(text, conflistFile ?? "the default conflist", options.NetworkName, options.Socket);
            installer.Install(request with { Conflist = rendered });
            return 0;
        }
        catch (NodeConfigException e)
        {
            Console.Error.WriteLine(e.Message);
            return 2;
        }
        catch (InstallException e)
        {
            Console.Error.WriteLine($"wincnid install-cni: {e.Message}");
            return 2;
        }
    }
}
