using System.CommandLine;
using Cni.Daemon.Configuration;
using Cni.Daemon.Hosting;
using Cni.Daemon.Status;

namespace Cni.Daemon.CommandLine;

/// <summary>
/// <c>wincnid [run] | status [--json] | version | install-cni | install-service</c>. <c>run</c> is also the root command's action, so a DaemonSet can
/// start the daemon with flags only.
/// </summary>
public static class DaemonCommandLine
{
    public static RootCommand Build()
    {
        var root = new RootCommand("wincnid: the wincni node daemon (IPAM, HCN endpoints, node network).");
        var rootOptions = new RunOptions(root);
        root.SetAction((result, cancellationToken) => RunAsync(rootOptions.Read(result), cancellationToken));

        var run = new Command("run", "Run the node daemon (the default).");
        var runOptions = new RunOptions(run);
        run.SetAction((result, cancellationToken) => RunAsync(runOptions.Read(result), cancellationToken));
        root.Subcommands.Add(run);

        var status = new Command("status", "Show networks, endpoints and IPAM leases, desired beside actual, from the running daemon.");
        var json = new Option<bool>("--json") { Description = "Print the status document as JSON." };
        var statusSocket = new Option<string?>("--socket") { Description = "The daemon's CNI socket (default: the config's, or the platform default)." };
        var statusConfig = new Option<string?>("--config") { Description = "Node config file to take the socket path from." };
        status.Options.Add(json);
        status.Options.Add(statusSocket);
        status.Options.Add(statusConfig);
        status.SetAction((result, cancellationToken) => StatusCommand.RunAsync(
            result.GetValue(statusSocket),
            result.GetValue(statusConfig),
            result.GetValue(json),
            Console.Out,
            Console.Error,
            cancellationToken));
        root.Subcommands.Add(status);

        var version = new Command("version", "Print the daemon's version.");
        version.SetAction(_ =>
        {
            Console.Out.WriteLine($"wincnid {DaemonVersion.Informational}");
            return 0;
        });
        root.Subcommands.Add(version);
        root.Subcommands.Add(InstallCniCommand.Build());
        root.Subcommands.Add(InstallServiceCommand.Build());
        return root;
    }

    private static async Task<int> RunAsync(RunSettings settings, CancellationToken cancellationToken)
    {
        try
        {
            await DaemonHost.RunAsync(settings, cancellationToken).ConfigureAwait(false);
            return 0;
        }
        catch (NodeConfigException e)
        {
            await Console.Error.WriteLineAsync(e.Message).ConfigureAwait(false);
            return 2;
        }
        catch (DaemonStartupException e)
        {
            await Console.Error.WriteLineAsync($"wincnid: {e.Message}").ConfigureAwait(false);
            return 2;
        }
    }

    /// <summary>The flags of `run`, created per command because an option belongs to one parent.</summary>
    private sealed class RunOptions
    {
        private readonly Option<string?> _config = new("--config") { Description = "Node config file (YAML or JSON)." };
        private readonly Option<string?> _nodeName = new("--node-name") { Description = "This node's Node name (default: $NODE_NAME, else the host name); it must match the kubelet's." };
        private readonly Option<string?> _kubeconfig = new("--kubeconfig")
        {
            Description = "Kubeconfig for the API server. With it (or --api-server, or in a pod with a service account) wincnid takes its pod CIDRs from its Node, publishes flannel's annotations and routes to every other node.",
        };

        private readonly Option<string?> _apiServer = new("--api-server")
        {
            Description = "API server URL that overrides the kubeconfig's or in-cluster host (HostProcess pods often cannot reach the kubernetes Service VIP).",
        };
        private readonly Option<bool> _allowInsecureApiServer = new("--allow-insecure-api-server")
        {
            Description = "Send credentials (a bearer token) to an http:// API server in clear text. Without it such a server is refused; with it wincnid logs a warning at every start.",
        };

        private readonly Option<DataplaneKind> _dataplane = new("--dataplane")
        {
            Description = "hcn (Windows HNS), kernel (Linux: bridge, veth, vxlan, nftables) or memory (in-process emulator).",
            DefaultValueFactory = _ => OperatingSystem.IsWindows() ? DataplaneKind.Hcn : DataplaneKind.Memory,
        };

        private readonly Option<string?> _socket = new("--socket") { Description = "CNI socket path (overrides the config)." };
        private readonly Option<string?> _stateDir = new("--state-dir") { Description = "State directory (overrides the config)." };
        private readonly Option<string?> _healthAddress = new("--health-address") { Description = "address:port for /healthz, /readyz and /metrics (overrides the config)." };

        public RunOptions(Command command)
        {
            command.Options.Add(_config);
            command.Options.Add(_nodeName);
            command.Options.Add(_kubeconfig);
            command.Options.Add(_apiServer);
            command.Options.Add(_allowInsecureApiServer);
            command.Options.Add(_dataplane);
            command.Options.Add(_socket);
            command.Options.Add(_stateDir);
            command.Options.Add(_healthAddress);
        }

        public RunSettings Read(ParseResult result) => new()
        {
            ConfigFile = result.GetValue(_config),
            NodeName = result.GetValue(_nodeName),
            Kubeconfig = result.GetValue(_kubeconfig),
            ApiServer = result.GetValue(_apiServer),
            AllowInsecureApiServer = result.GetValue(_allowInsecureApiServer),
            Dataplane = result.GetValue(_dataplane),
            Socket = result.GetValue(_socket),
            StateDir = result.GetValue(_stateDir),
            HealthAddress = result.GetValue(_healthAddress),
        };
    }
}
