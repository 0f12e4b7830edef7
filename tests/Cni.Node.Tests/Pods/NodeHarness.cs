using System.Net;
using System.Text;
using System.Text.Json;
using Cni.Hcn;
using Cni.Hcn.Attachments;
using Cni.Hcn.HostRouting;
using Cni.Hcn.Memory;
using Cni.Hcn.Model;
using Cni.Node.Concurrency;
using Cni.Node.Configuration;
using Cni.Node.Dataplane;
using Cni.Node.Ipam;
using Cni.Node.Networks;
using Cni.Node.Pods;
using Cni.Spec;
using Cni.Spec.Wire;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cni.Node.Tests.Pods;

/// <summary>
/// One node in-process: MemoryHcn, a real IpamStore in a temp directory, the node network and the CNI handler, wired
/// as the daemon wires them. <see cref="RestartAsync"/> models a daemon restart (same HNS, same state directory).
/// </summary>
internal sealed class NodeHarness : IAsyncDisposable
{
    public const string NetworkName = "wincni";
    public const string NodeIpText = "192.0.2.10";

    private readonly Func<INamespaceResolver, INamespaceResolver>? _wrapNamespaces;

    /// <summary>Wraps the dataplane the CNI handler sees (one that behaves differently from MemoryHcn); null for none.</summary>
    private Func<IHcn, IHcn>? _wrapHcn;

    private NodeHarness(MemoryHcn hcn, NodeOptions options, string stateDir, Func<INamespaceResolver, INamespaceResolver>? wrapNamespaces, IAttachmentVerifier? attachments)
    {
        _wrapNamespaces = wrapNamespaces;
        Attachments = attachments;
        Hcn = hcn;
        Options = options;
        StateDir = stateDir;

        // The host: its adapter (the management vNIC once the network exists) holds the node IP; host endpoints
        // attached to the default namespace show up as vNICs of their own.
        HostRouting = new MemoryHostRouting(hcn);
        HostRouting.AddInterface(ManagementIndex, IPAddress.Parse(NodeIpText));
    }

    /// <summary>The index of the host interface holding the node IP.</summary>
    public const int ManagementIndex = 5;

    public MemoryHcn Hcn { get; }

    /// <summary>The dataplane's view of the pods' interfaces, when the harness models a kernel node; else null.</summary>
    public IAttachmentVerifier? Attachments { get; }
    /// <summary>The host's route table and interfaces.</summary>
    public MemoryHostRouting HostRouting { get; }

    /// <summary>How long the bootstrap waits for HNS (short: the emulator makes everything at once unless told otherwise).</summary>
    public static HostInterfaceWaits Waits { get; } = new()
    {
        PollInterval = TimeSpan.FromMilliseconds(10),
        ProviderAddressTimeout = TimeSpan.FromMilliseconds(300),
        InterfaceTimeout = TimeSpan.FromMilliseconds(300),
    };

    public NodeOptions Options { get; private set; }

    public string StateDir { get; }

    public IpamStore Ipam { get; private set; } = null!;

    public KeyedAsyncLock<LeaseKey> Locks { get; private set; } = null!;

    public PodNetwork Network { get; private set; } = null!;

    public CniCommandHandler Handler { get; private set; } = null!;

    public NetworkEnsureReport? LastEnsure { get; private set; }

    public static NodeOptions DefaultOptions(NetworkMode mode, string stateDir, params string[] podCidrs) => new()
    {
        Mode = mode,
        NetworkName = NetworkName,
        ClusterCidrs = [IPNetwork.Parse("10.244.0.0/16")],
        ServiceCidrs = [IPNetwork.Parse("10.96.0.0/12")],
        PodCidrs = [.. (podCidrs.Length == 0 ? ["10.244.1.0/24"] : podCidrs).Select(c => IPNetwork.Parse(c))],
        NodeIp = IPAddress.Parse(NodeIpText),
        Dns = new DnsOptions { Nameservers = ["10.96.0.10"], Search = ["default.svc.cluster.local", "svc.cluster.local"] },
        StateDir = stateDir,
        IpQuarantine = TimeSpan.FromSeconds(30),
    };

    public static async Task<NodeHarness> CreateAsync(
        NetworkMode mode = NetworkMode.Overlay,
        string[]? podCidrs = null,
        Func<NodeOptions, NodeOptions>? configure = null,
        bool ensure = true,
        MemoryHcn? hcn = null,
        Func<INamespaceResolver, INamespaceResolver>? namespaces = null,
        Func<MemoryHcn, IAttachmentVerifier>? attachments = null,
        Func<IHcn, IHcn>? wrapHcn = null)
    {
        // One flat temp directory per harness, removed whole on dispose: nothing is left in /tmp afterwards.
        var stateDir = Directory.CreateTempSubdirectory("wincni-node-test-").FullName;
        var options = DefaultOptions(mode, stateDir, podCidrs ?? []);
        options = configure?.Invoke(options) ?? options;
        hcn ??= new MemoryHcn();
        var harness = new NodeHarness(hcn, options, stateDir, namespaces, attachments?.Invoke(hcn)) { _wrapHcn = wrapHcn };
        await harness.StartAsync(ensure).ConfigureAwait(false);
        return harness;
    }

    /// <summary>A daemon restart: the IPAM store is closed and reopened from disk; HNS keeps its state.</summary>
    public async Task RestartAsync(Func<NodeOptions, NodeOptions>? reconfigure = null, bool ensure = true)
    {
        await Ipam.DisposeAsync().ConfigureAwait(false);
        Options = reconfigure?.Invoke(Options) ?? Options;
        await StartAsync(ensure).ConfigureAwait(false);
    }

    public async Task<Guid> NewNamespaceAsync() =>
        (await Hcn.CreateNamespaceAsync(new HostComputeNamespace { Type = NamespaceType.Host }, CancellationToken.None).ConfigureAwait(false)).Id;

    public static string Config(string version = "1.1.0", string? members = null, string name = NetworkName) =>
        "{\"cniVersion\":\"" + version + "\",\"name\":\"" + name + "\",\"type\":\"wincni\"" + (members is null ? "" : "," + members) + "}";

    public static DaemonRequest Request(string command, string config, string containerId = "", string netns = "", string ifName = "", string args = "", string path = "/opt/cni/bin")
    {
        using var document = JsonDocument.Parse(config);
        return new DaemonRequest
        {
            Command = command,
            ContainerId = containerId,
            Netns = netns,
            IfName = ifName,
            Args = args,
            Path = path,
            Config = document.RootElement.Clone(),
        };
    }

    /// <summary>A forwarded request the way <c>CniEndpoint</c> serves it: parsed once, then handled (or answered).</summary>
    public Task<CniOutcome> HandleAsync(DaemonRequest request, CancellationToken cancellationToken) =>
        DaemonRequestReader.TryRead(request, out var parsed, out var answer)
            ? Handler.HandleAsync(parsed, cancellationToken)
            : Task.FromResult(answer);

    public Task<CniOutcome> AddAsync(string containerId, string netns, string ifName = "eth0", string version = "1.1.0", string? members = null, string args = "") =>
        HandleAsync(Request("ADD", Config(version, members), containerId, netns, ifName, args), CancellationToken.None);

    public Task<CniOutcome> DelAsync(string containerId, string netns, string ifName = "eth0", string version = "1.1.0", string? members = null) =>
        HandleAsync(Request("DEL", Config(version, members), containerId, netns, ifName), CancellationToken.None);

    public Task<CniOutcome> CheckAsync(string containerId, string netns, byte[] prevResult, string ifName = "eth0", string version = "1.1.0") =>
        HandleAsync(Request("CHECK", Config(version, "\"prevResult\":" + Encoding.UTF8.GetString(prevResult)), containerId, netns, ifName), CancellationToken.None);

    public Task<CniOutcome> StatusAsync(string version = "1.1.0") =>
        HandleAsync(Request("STATUS", Config(version)), CancellationToken.None);

    public Task<CniOutcome> GcAsync(string? validAttachmentsJson) =>
        HandleAsync(
            Request("GC", Config("1.1.0", validAttachmentsJson is null ? null : "\"cni.dev/valid-attachments\":" + validAttachmentsJson)),
            CancellationToken.None);

    public async Task<IReadOnlyList<HostComputeEndpoint>> EndpointsAsync() =>
        await Hcn.EnumerateEndpointsAsync(null, CancellationToken.None).ConfigureAwait(false);

    public async Task<IReadOnlyList<IpLease>> LeasesAsync() =>
        await Ipam.ListAsync(CancellationToken.None).ConfigureAwait(false);

    public static CniResultView Result(CniOutcome outcome)
    {
        Assert.That(outcome.Error, Is.Null, () => "unexpected error: " + outcome.Error?.Msg + " / " + outcome.Error?.Details);
        Assert.That(outcome.Result, Is.Not.Null);
        return new CniResultView(CniJson.ParseResult(outcome.Result!), outcome.Result!);
    }

    public async ValueTask DisposeAsync()
    {
        await Ipam.DisposeAsync().ConfigureAwait(false);
        try
        {
            Directory.Delete(StateDir, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a leftover temp directory is harmless.
        }
    }

    private async Task StartAsync(bool ensure)
    {
        Ipam = await IpamStore.OpenAsync(
            new IpamOptions
            {
                StateDirectory = StateDir,
                Mode = Options.Mode,
                PodCidrs = [.. Options.PodCidrs.Select(c => c.ToString())],
                QuarantinePeriod = Options.IpQuarantine,
            },
            TimeProvider.System,
            NullLoggerFactory.Instance,
            CancellationToken.None).ConfigureAwait(false);
        Locks = new KeyedAsyncLock<LeaseKey>();
        Network = new PodNetwork(Hcn, Ipam, new StaticNodeAddressingSource(Options), Options, Locks, TimeProvider.System, NullLogger<PodNetwork>.Instance, Attachments, HostRouting, Waits);
        INamespaceResolver resolver = new NetnsPathNamespaceResolver(Hcn);
        resolver = _wrapNamespaces?.Invoke(resolver) ?? resolver;
        Handler = new CniCommandHandler(_wrapHcn?.Invoke(Hcn) ?? Hcn, Ipam, Network, resolver, Options, Locks, NullLogger<CniCommandHandler>.Instance, Attachments);
        if (ensure)
        {
            LastEnsure = await Network.EnsureAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }
}
