using System.Diagnostics.Metrics;
using System.Globalization;
using System.Net;
using Cni.Daemon.Configuration;
using Cni.Daemon.Metrics;
using Cni.Daemon.Status;
using Cni.Hcn;
using Cni.Hcn.Attachments;
using Cni.Hcn.HostRouting;
using Cni.Hcn.Kernel;
using Cni.Hcn.Kernel.HostRouting;
using Cni.Hcn.Memory;
using Cni.Hcn.Versioning;
using Cni.Hcn.Windows;
using Cni.Hcn.Windows.IpHelper;
using Cni.Node.Concurrency;
using Cni.Node.Configuration;
using Cni.Node.Dataplane;
using Cni.Node.Ipam;
using Cni.Node.Kubernetes;
using Cni.Node.Kubernetes.Events;
using Cni.Node.Kubernetes.Nodes;
using Cni.Node.Networks;
using Cni.Node.Peers;
using Cni.Node.Pods;
using Cni.Node.Services;
using Cni.Spec.Wire;
using Microsoft.Extensions.Logging.Console;

namespace Cni.Daemon.Hosting;

/// <summary>
/// Builds and runs wincnid: the node config, the dataplane, IPAM, the node network and the CNI handler, served on
/// the CNI socket (POST /v1/cni, GET /v1/status) and a TCP listener for /healthz, /readyz and /metrics.
/// </summary>
public static partial class DaemonHost
{
    /// <summary>Longest a CNI request may take inside the daemon; below the plugin's default 60 s deadline.</summary>
    public static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(55);

    /// <summary>The service key of the dataplane itself, under the bounding and metering decorators that are <see cref="IHcn"/>.</summary>
    private const string DataplaneKey = "dataplane";

    /// <summary>Runs until <paramref name="cancellationToken"/> fires or the process is asked to stop (SIGTERM, Ctrl-C).</summary>
    public static async Task RunAsync(RunSettings settings, CancellationToken cancellationToken)
    {
        var app = await BuildAsync(settings, cancellationToken).ConfigureAwait(false);
        await using (app.ConfigureAwait(false))
        {
            try
            {
                await app.StartAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or UnauthorizedAccessException)
            {
                // A health port in use, a socket directory on a read-only file system: the operator's to fix, one line.
                throw new DaemonStartupException("cannot listen: " + OneLine(e), e);
            }

            await app.WaitForShutdownAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>An exception's message and its causes' on one line, without stack traces.</summary>
    private static string OneLine(Exception e)
    {
        var text = e.Message;
        for (var inner = e.InnerException; inner is not null; inner = inner.InnerException)
        {
            if (!text.Contains(inner.Message, StringComparison.Ordinal))
            {
                text += " (" + inner.Message + ")";
            }
        }

        return text.ReplaceLineEndings(" ");
    }

    /// <summary>Builds the started-but-not-running application (tests start and stop it themselves).</summary>
    public static Task<WebApplication> BuildAsync(RunSettings settings, CancellationToken cancellationToken) =>
        BuildAsync(settings, configureLogging: null, cancellationToken);

    /// <summary>As <see cref="BuildAsync(RunSettings, CancellationToken)"/>, with more logging configuration for the host (tests add a capturing provider).</summary>
    internal static async Task<WebApplication> BuildAsync(RunSettings settings, Action<ILoggingBuilder>? configureLogging, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var options = LoadOptions(settings);

        // First of all: from here on a plugin's request waits in the socket's backlog instead of being refused.
        var socket = CniSocket.Bind(options.Socket);
        var time = TimeProvider.System;

        // The host's logging: made first because the cluster connection, IPAM and the dataplane start (and log) before the
        // host is built, then handed to the host, whose container owns it, so they log through it for their whole life.
        var loggers = LoggerFactory.Create(logging =>
        {
            ConfigureLogging(logging, options.Log);
            configureLogging?.Invoke(logging);
        });
        ClusterConnection? agent = null;
        KubernetesEventRecorder? events = null;
        NodeNetworkProblemTracker? problems = null;
        try
        {
            ListenPreflight.Check(options.HealthAddress);
            if (StateDirectoryGuard.Prepare(options.StateDir) is { } loose)
            {
                Log.StateDirectoryTightened(loggers.CreateLogger(typeof(DaemonHost).FullName!), options.StateDir, StateDirectoryGuard.Octal(loose));
            }

            INodeAddressingSource nodeSource;
            NodeAddressing node;
            if (settings.UsesKubernetes)
            {
                // A node agent: pod CIDRs and node IP come from this node's Node object (the config's podCIDRs are
                // the fallback for clusters without node CIDR allocation), so nothing else can start before it is known.
                try
                {
                    agent = ClusterConnection.Start(
                        new KubernetesAccessOptions(settings.Kubeconfig, settings.ApiServer) { AllowInsecureApiServer = settings.AllowInsecureApiServer },
                        settings.EffectiveNodeName,
                        options,
                        loggers,
                        time);
                }
                catch (KubernetesAccessException e)
                {
                    throw new DaemonStartupException($"Kubernetes access: {e.Message}", e);
                }

                // Started now, not with the host: a Node that never gets its podCIDR is a Warning Event on it while
                // wincnid waits (the host's start of the recorder is then a no-op).
                events = new KubernetesEventRecorder(agent.Client, agent.NodeName, new EventRecorderOptions(), time, loggers.CreateLogger<KubernetesEventRecorder>());
                await events.StartAsync(cancellationToken).ConfigureAwait(false);
                problems = new NodeNetworkProblemTracker(new NodeNetworkEvents(events), options.EventGracePeriod, time);

                var known = await agent.TryWaitForNodeAsync(TimeSpan.FromSeconds(3), cancellationToken, problems).ConfigureAwait(false);
                if (known is null)
                {
                    // Not a quick restart: hold requests on the socket and say "not ready, because …" on /readyz while
                    // waiting. The wait server takes the socket and closes it when the Node is known; the plugins it
                    // held ask again and reach the socket bound anew for the real host.
                    var waiting = agent;
                    string Reason() => waiting.AddressingSource.NotReadyReason ?? $"waiting for Node '{waiting.NodeName}'";
                    await using (var server = await NodeWaitServer.StartAsync(
                        socket,
                        options.HealthAddress,
                        Reason,
                        () => WaitingStatus(options, waiting, Reason()),
                        loggers,
                        RequestTimeout,
                        cancellationToken).ConfigureAwait(false))
                    {
                        known = await agent.WaitForNodeAsync(cancellationToken, problems).ConfigureAwait(false);
                    }

                    socket = CniSocket.Bind(options.Socket);
                }

                node = known;
                nodeSource = agent.AddressingSource;
            }
            else
            {
                nodeSource = new StaticNodeAddressingSource(options);
                node = await nodeSource.GetAsync(cancellationToken).ConfigureAwait(false)
                    ?? throw new DaemonStartupException("podCIDRs: no pod CIDR for this node; set podCIDRs in the node config (or run with --kubeconfig so the Node object provides them)");
            }

            return await BuildWithNodeAsync(settings, options, socket, nodeSource, node, agent, events, problems, loggers, time, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            socket.Dispose();
            if (events is not null)
            {
                await events.StopAsync(CancellationToken.None).ConfigureAwait(false);
                events.Dispose();
            }

            if (agent is not null)
            {
                await agent.DisposeAsync().ConfigureAwait(false);
            }

            loggers.Dispose();
            throw;
        }
    }

    private static async Task<WebApplication> BuildWithNodeAsync(
        RunSettings settings,
        NodeOptions options,
        CniSocket socket,
        INodeAddressingSource nodeSource,
        NodeAddressing node,
        ClusterConnection? agent,
        KubernetesEventRecorder? events,
        NodeNetworkProblemTracker? problems,
        ILoggerFactory loggers,
        TimeProvider time,
        CancellationToken cancellationToken)
    {
        var builder = DaemonWebApplication.CreateBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(_ => loggers);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(10));

        // Under the Windows SCM or systemd (wincnid install-service) the host reports start and stop to it; elsewhere
        // both are no-ops.
        builder.Services.AddWindowsService(o => o.ServiceName = Service.ServiceDefinition.Name);
        builder.Services.AddSystemd();

        if (options.Mode.UsesStaticPool())
        {
            // Transparent: the pods' addresses are the operator's static pool on the physical network, whatever the
            // Node object says (its podCIDR is for routed modes); the node's own address is on that subnet by design.
            node = node with { PodCidrs = options.PodCidrs };
            nodeSource = new StaticPoolAddressingSource(nodeSource, options.PodCidrs);
        }
        else if ((node.NodeIp ?? options.NodeIp) is { } nodeIp && node.PodCidrs.FirstOrDefault(c => c.Contains(nodeIp)) is { PrefixLength: > 0 } holding)
        {
            throw new DaemonStartupException(
                $"nodeIP {nodeIp} is inside the pod CIDR {holding}, so the pod network would hand the node's own address to a pod; "
                + "fix nodeIP (node config, the node-public-ip annotation or the Node's InternalIP) or the Node's spec.podCIDRs");
        }

        IpamStore ipam;
        try
        {
            ipam = await IpamStore.OpenAsync(
                new IpamOptions
                {
                    StateDirectory = options.StateDir,
                    Mode = options.Mode,
                    PodCidrs = [.. node.PodCidrs.Select(c => c.ToString())],
                    StaticPool = options.StaticPool,
                    QuarantinePeriod = options.IpQuarantine,
                },
                time,
                loggers,
                cancellationToken).ConfigureAwait(false);
        }
        catch (IpamStoreLockedException e)
        {
            throw new DaemonStartupException($"stateDir {options.StateDir} is in use by another wincnid ({e.Message})", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DaemonStartupException($"stateDir {options.StateDir} is not usable: {e.Message}", e);
        }
        catch (ArgumentException e)
        {
            // A pod CIDR IPAM cannot use (a /31 or /32 on this mode), from the Node object or the config.
            var source = settings.UsesKubernetes ? $"the pod CIDRs of Node '{settings.EffectiveNodeName}' (spec.podCIDRs, else the config's podCIDRs)" : "the node config";
            throw new DaemonStartupException($"{OneLine(e).Replace($" (Parameter '{e.ParamName}')", string.Empty, StringComparison.Ordinal)}; from {source}", e);
        }

        IHcn dataplane;
        try
        {
            dataplane = await CreateDataplaneAsync(settings.Dataplane, options, node, loggers, time, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await ipam.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        // The service proxy runs where wincnid reads the cluster, unless the config keeps kube-proxy; DSR follows HNS's features.
        var proxyEnabled = options.ServiceProxy.IsEnabled(agent is not null);
        var features = HcnFeatures.None;
        try
        {
            if (proxyEnabled && agent is null)
            {
                throw new DaemonStartupException("serviceProxy.enabled: true needs Kubernetes access (--kubeconfig or in-cluster); remove it to run standalone");
            }

            features = await dataplane.GetFeaturesAsync(cancellationToken).ConfigureAwait(false);
            options = options with { Dsr = ServiceProxyWiring.ResolveDsr(options.ServiceProxy, proxyEnabled, features) };
        }
        catch
        {
            (dataplane as IDisposable)?.Dispose();
            await ipam.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        if (OperatingSystem.IsLinux() && dataplane is KernelHcn kernelHcn)
        {
            // /metrics reads the background link reaper's figures.
            builder.Services.AddSingleton(kernelHcn);

            // The pods' real interfaces: ADD, CHECK, reconciliation and the status look at them (HNS has no such view).
            builder.Services.AddSingleton<IAttachmentVerifier>(kernelHcn);
        }

        if (dataplane is MemoryHcn memory)
        {
            settings.MemoryDataplaneOpened?.Invoke(memory);
        }

        // The host's own routing beside HCN: L2Bridge forwarding and peer routes (iphlpapi on Windows, netlink on Linux).
        var hostRouting = CreateHostRouting(dataplane, node.NodeIp ?? options.NodeIp);

        var locks = new KeyedAsyncLock<LeaseKey>();

        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(time);
        builder.Services.AddMetrics();
        builder.Services.AddSingleton<PrometheusMeterExporter>();

        // The dataplane, IPAM (its state-dir lock) and the cluster connection are registered through factories, so the container
        // owns them and disposes them with the host (IAsyncDisposable ones asynchronously).
        builder.Services.AddKeyedSingleton(DataplaneKey, (_, _) => dataplane);
        builder.Services.AddSingleton<IHcn>(services => new BoundedHcn(
            new MeteredHcn(services.GetRequiredKeyedService<IHcn>(DataplaneKey), services.GetRequiredService<IMeterFactory>()),
            options.MaxConcurrentHcnCalls));
        builder.Services.AddSingleton<IIpamStore>(_ => ipam);
        builder.Services.AddSingleton(_ => hostRouting);
        builder.Services.AddSingleton<INodeAddressingSource>(nodeSource);
        builder.Services.AddSingleton(locks);
        builder.Services.AddSingleton<PodNetwork>();
        builder.Services.AddSingleton<INamespaceResolver>(services =>
            OperatingSystem.IsWindows() ? new HcnNamespaceResolver()
            : dataplane is KernelHcn ? new KernelNamespaceResolver(services.GetRequiredService<IHcn>())
            : new NetnsPathNamespaceResolver(services.GetRequiredService<IHcn>()));
        builder.Services.AddSingleton<ICniCommandHandler, CniCommandHandler>();
        builder.Services.AddSingleton<ReadinessHold>();
        builder.Services.AddSingleton(services => new CniEndpoint(
            services.GetRequiredService<ICniCommandHandler>(),
            services.GetRequiredService<ReadinessHold>(),
            services.GetRequiredService<CniRequestMetrics>(),
            services.GetRequiredService<ILogger<CniEndpoint>>(),
            RequestTimeout,
            services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping));
        builder.Services.AddSingleton<StatusEndpoint>();
        builder.Services.AddSingleton<CniRequestMetrics>();
        builder.Services.AddSingleton<IpamMetrics>();
        builder.Services.AddSingleton<PodNetworkMetrics>();
        builder.Services.AddSingleton<FlannelProtocolMetrics>();
        builder.Services.AddSingleton(services => new KernelDataplaneMetrics(
            services.GetRequiredService<IMeterFactory>(),
            OperatingSystem.IsLinux() ? services.GetService<KernelHcn>() : null));
        builder.Services.AddHostedService<NetworkReconciler>();
        if (agent is not null)
        {
            builder.Services.AddSingleton(_ => agent);
            builder.Services.AddSingleton(services => new PeerRouteReconciler(
                services.GetRequiredService<IHcn>(),
                services.GetRequiredService<IHostRouting>(),
                services.GetRequiredService<PodNetwork>(),
                options,
                agent.Annotations,
                services.GetRequiredService<ILogger<PeerRouteReconciler>>()));
            builder.Services.AddSingleton(services => new NodeAnnotationPublisher(
                agent.Client,
                agent.NodeName,
                agent.Annotations,
                new NodeAnnotationPublisherOptions(),
                time,
                services.GetRequiredService<ILogger<NodeAnnotationPublisher>>()));
            if (options.Mode.HasPeerRoutes())
            {
                // NAT, Transparent and L2Tunnel nodes neither publish flannel annotations nor route to peers.
                builder.Services.AddHostedService<FlannelProtocolController>();
            }

            // Made (and started) before the wait for the Node; registered through a factory so the container disposes it.
            var recorder = events ?? throw new InvalidOperationException("the Event recorder is made with the cluster connection");
            builder.Services.AddSingleton(_ => recorder);
            builder.Services.AddHostedService(services => services.GetRequiredService<KubernetesEventRecorder>());
            builder.Services.AddSingleton<ICniFailureReporter, CniFailureEvents>();
            builder.Services.AddSingleton<IPeerProblemReporter, PeerNodeEvents>();
            builder.Services.AddSingleton(problems ?? new NodeNetworkProblemTracker(new NodeNetworkEvents(recorder), options.EventGracePeriod, time));

            if (proxyEnabled)
            {
                ServiceProxyWiring.Add(builder.Services, options, agent, node, ipam, dataplane, features, loggers, time);
            }
        }

        // The socket is the container's until Kestrel takes it over at start (then Kestrel's).
        builder.Services.AddSingleton(_ => socket);
        socket.ServeWith(builder, loggers);

        var healthEndpoint = IPEndPoint.Parse(options.HealthAddress);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(healthEndpoint);
            kestrel.Limits.MaxRequestBodySize = DaemonProtocol.MaxRequestBytes;
            kestrel.AddServerHeader = false;
        });

        var app = builder.Build();

        // The exporter listens before the instruments exist, and they are made in this order so /metrics lists the
        // families as it always has; the instruments of the CNI socket exist before its first request.
        app.Services.GetRequiredService<PrometheusMeterExporter>();
        app.Services.GetRequiredService<CniRequestMetrics>();
        app.Services.GetRequiredService<IHcn>();
        app.Services.GetRequiredService<IpamMetrics>();
        app.Services.GetRequiredService<PodNetworkMetrics>();
        app.Services.GetRequiredService<FlannelProtocolMetrics>();
        app.Services.GetRequiredService<KernelDataplaneMetrics>();

        // The container disposes only what it has made: make every owned singleton now, even if no request uses it.
        app.Services.GetRequiredService<IIpamStore>();
        app.Services.GetRequiredService<CniSocket>();
        if (agent is not null)
        {
            app.Services.GetRequiredService<ClusterConnection>();
            app.Services.GetRequiredService<KubernetesEventRecorder>();
        }

        app.Lifetime.ApplicationStopped.Register(() => TryDelete(options.Socket));

        app.MapPost(DaemonProtocol.CniPath, (HttpContext context, CniEndpoint endpoint) => endpoint.HandleAsync(context));
        app.MapGet(DaemonProtocol.StatusPath, (HttpContext context, StatusEndpoint endpoint) => endpoint.HandleAsync(context));
        HealthEndpoints.Map(app);
        return app;
    }

    /// <summary>What <c>wincnid status</c> shows while wincnid waits for its Node: not ready, why, and the API's last error.</summary>
    private static StatusDocument WaitingStatus(NodeOptions options, ClusterConnection agent, string reason) => new()
    {
        Version = DaemonVersion.Informational,
        Ready = false,
        NotReadyReason = reason,
        NetworkName = options.NetworkName,
        Kubernetes = new KubernetesStatus(
            agent.NodeName,
            agent.ApiServer.ToString(),
            agent.Nodes.HasSynced,
            agent.Nodes.LastContact,
            agent.Nodes.List().Length,
            reason,
            "not yet",
            null)
        {
            ApiError = agent.Nodes.LastError,
        },
    };

    private static NodeOptions LoadOptions(RunSettings settings)
    {
        var options = settings.ConfigFile is { } file ? NodeConfigLoader.LoadFile(file) : new NodeOptions();
        options = options with
        {
            Socket = settings.Socket ?? options.Socket,
            StateDir = settings.StateDir ?? options.StateDir,
            HealthAddress = settings.HealthAddress ?? options.HealthAddress,
        };

        if (!IPEndPoint.TryParse(options.HealthAddress, out _))
        {
            throw new DaemonStartupException($"--health-address: '{options.HealthAddress}' is not an address:port such as 127.0.0.1:9872");
        }

        if (!Path.IsPathFullyQualified(options.Socket) || !Path.IsPathFullyQualified(options.StateDir))
        {
            throw new DaemonStartupException(string.Create(
                CultureInfo.InvariantCulture,
                $"--socket and --state-dir must be absolute paths (got '{options.Socket}' and '{options.StateDir}')"));
        }

        return options;
    }

    private static async Task<IHcn> CreateDataplaneAsync(
        DataplaneKind dataplane,
        NodeOptions options,
        NodeAddressing node,
        ILoggerFactory loggers,
        TimeProvider time,
        CancellationToken cancellationToken) => dataplane switch
    {
        DataplaneKind.Hcn when OperatingSystem.IsWindows() => new WindowsHcn(),
        DataplaneKind.Hcn => throw new DaemonStartupException("--dataplane hcn needs Windows (computenetwork.dll); use --dataplane kernel or memory here"),

        // The node is the namespace wincnid runs in; objects persist beside the IPAM journal, so a restarted daemon
        // adopts the running pods' devices instead of recreating them.
        DataplaneKind.Kernel when OperatingSystem.IsLinux() => new KernelHcn(
            new KernelHcnOptions
            {
                StateDirectory = Path.Combine(options.StateDir, "kernel"),
                ManagementIp = (node.NodeIp ?? options.NodeIp)?.ToString(),
            },
            loggers.CreateLogger<KernelHcn>()),
        DataplaneKind.Kernel => throw new DaemonStartupException("--dataplane kernel needs Linux (netlink, network namespaces, nftables); use --dataplane hcn on Windows"),

        // HNS outlives wincnid; so does the memory dataplane's store in the state dir (restart and crash tests).
        _ => await OpenMemoryDataplaneAsync(options.StateDir, (node.NodeIp ?? options.NodeIp)?.ToString(), time, cancellationToken).ConfigureAwait(false),
    };

    /// <summary>
    /// The host routing that goes with the dataplane: the IP Helper API beside HNS, rtnetlink in wincnid's own namespace
    /// beside KernelHcn, and beside the memory dataplane an emulated host whose adapter holds the node IP.
    /// </summary>
    private static IHostRouting CreateHostRouting(IHcn dataplane, IPAddress? nodeIp)
    {
        if (OperatingSystem.IsWindows() && dataplane is WindowsHcn)
        {
            return new IpHelperHostRouting();
        }

        if (OperatingSystem.IsLinux() && dataplane is KernelHcn)
        {
            return new NetlinkHostRouting();
        }

        // The emulated host's adapter holds the node IP, which the memory dataplane also reports as the management IP.
        var emulated = new MemoryHostRouting(dataplane);
        var management = nodeIp ?? (IPAddress.TryParse(new MemoryHcnOptions().ManagementIp, out var fallback) ? fallback : null);
        if (management is not null)
        {
            emulated.AddInterface(1, management);
        }

        return emulated;
    }

    private static async Task<MemoryHcn> OpenMemoryDataplaneAsync(string stateDir, string? nodeIp, TimeProvider time, CancellationToken cancellationToken)
    {
        // As HNS does, the emulator reports the host's address as an Overlay network's ProviderAddress.
        var options = nodeIp is null ? new MemoryHcnOptions() : new MemoryHcnOptions { ManagementIp = nodeIp };
        var memory = new MemoryHcn(options, time, new MemoryHcnStore(stateDir));
        try
        {
            await memory.LoadAsync(onRestoreFailure: null, cancellationToken).ConfigureAwait(false);
            return memory;
        }
        catch (HcnStateException e)
        {
            memory.Dispose();
            throw new DaemonStartupException($"memory dataplane: {e.Message}", e);
        }
        catch
        {
            memory.Dispose();
            throw;
        }
    }

    private static void ConfigureLogging(ILoggingBuilder logging, LogOptions log)
    {
        logging.ClearProviders();
        logging.SetMinimumLevel(Enum.Parse<LogLevel>(log.Level, ignoreCase: true));

        // Kestrel and hosting chatter at Information is noise next to the daemon's own events.
        logging.AddFilter("Microsoft", LogLevel.Warning);
        if (string.Equals(log.Format, "json", StringComparison.Ordinal))
        {
            logging.AddJsonConsole(o => o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ");
        }
        else
        {
            logging.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
                o.UseUtcTimestamp = true;
                o.ColorBehavior = LoggerColorBehavior.Disabled;
            });
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Best effort: a stale socket file is detected and replaced at the next start.
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 3010, Level = LogLevel.Warning, Message = "stateDir {StateDir} was readable by others (mode {Mode}); made it 0700")]
        public static partial void StateDirectoryTightened(ILogger logger, string stateDir, string mode);
    }
}
