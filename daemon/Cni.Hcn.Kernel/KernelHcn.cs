using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Cni.Hcn.Attachments;
using Cni.Hcn.Errors;
using Cni.Hcn.Kernel.Concurrency;
using Cni.Hcn.Kernel.Conntrack;
using Cni.Hcn.Kernel.Namespaces;
using Cni.Hcn.Kernel.Netlink;
using Cni.Hcn.Kernel.Nftables;
using Cni.Hcn.Kernel.Reaping;
using Cni.Hcn.Kernel.State;
using Cni.Hcn.Memory;
using Cni.Hcn.Model;
using Cni.Hcn.Versioning;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cni.Hcn.Kernel;

/// <summary>
/// The HCN object model realized with the Linux kernel, so every behaviour of the daemon can be exercised with real
/// packets, and Linux nodes of a mixed cluster can run wincnid too.
/// </summary>
/// <remarks>
/// <para><b>Two layers.</b> The objects themselves — IDs, validation, attach rules, modify semantics and the error
/// contract of <see cref="IHcn"/> — are kept by an inner <see cref="MemoryHcn"/>, so KernelHcn raises exactly the
/// HRESULTs the emulator (and the contract suite) define. Every successful change is then made real in the kernel;
/// if the kernel refuses, the object change is undone and the kernel's reason surfaces as <see cref="HcnException"/>.
/// <b>Concurrency</b>: changes to different endpoints and namespaces (pod ADD/DEL) run in parallel, each holding
/// its objects' locks; network, load balancer and SDN route changes and reconciling run alone. nftables and the
/// persisted state follow every change through one serialized commit that covers all changes made before it.</para>
/// <para><b>Mapping.</b> Network → Linux bridge with the gateway address(es) (<c>wcni-br-&lt;hash&gt;</c>); Overlay
/// adds a VXLAN device (<c>wcni-vx-&lt;vni&gt;</c>, learning off, MTU = underlay − 50) and realizes every
/// RemoteSubnetRoute the way flannel's Linux VXLAN backend does. Endpoint → veth pair made on attach, host side on the bridge,
/// container side created inside the namespace (no namespace move) and named after the PortName policy (else
/// <see cref="KernelHcnOptions.DefaultInterfaceName"/>), with IP, MAC, MTU and routes. Namespace → a netns: one
/// KernelHcn creates (<see cref="KernelHcnOptions.NetnsDirectory"/>), or an existing one named by a <c>Container</c>
/// resource whose ID is an absolute path (e.g. CNI_NETNS), or the host itself for <c>HostDefault</c>. SDN route →
/// host routes via its next hops (L2Bridge peers). OutBoundNAT, PortMapping and load balancers → nftables
/// (<see cref="NftRenderer"/>).</para>
/// <para><b>Restarts.</b> Objects are persisted under <see cref="KernelHcnOptions.StateDirectory"/>; the first call
/// after construction (or <see cref="ReconcileAsync"/>) loads them, deletes wincni pairs no endpoint owns, checks every
/// attachment inside its pod against the record (adopting an intact one, never recreating a running pod's veth;
/// repairing a broken one; dropping one whose netns is gone), recreates what is missing, and rebuilds the nftables
/// tables. The records are never trusted over the kernel (<see cref="IAttachmentVerifier"/>).</para>
/// <para><b>Namespaces of the process.</b> Netlink sockets keep the namespace they were created in: the host socket
/// is created inside <see cref="KernelHcnOptions.HostNetnsPath"/> (or the process's namespace), pod sockets inside
/// the pod's, each on a dedicated thread (<see cref="NetnsThread"/>); no thread pool thread ever changes namespace.</para>
/// </remarks>
public sealed partial class KernelHcn : IHcn, IDisposable
{
    private const string SelfNetns = "/proc/self/ns/net";

    private readonly KernelHcnOptions _options;
    private readonly ILogger _logger;
    private readonly MemoryHcn _objects;
    private readonly AsyncReaderWriterGate _gate = new();
    private readonly StripedLocks _objectLocks = new(1024);
    private readonly SemaphoreSlim _startGate = new(1, 1);
    private readonly SemaphoreSlim _commitGate = new(1, 1);

    /// <summary>
    /// The object store compacts once its commits pause this long: the service proxy's first pass at 10,000 Services
    /// commits 90,000 objects in about two seconds, and compacting each time the log outgrew the snapshot meanwhile
    /// serialized every object twice more on the two cores the pass needed (0.7 s of CPU).
    /// </summary>
    private static readonly TimeSpan StoreQuietPeriod = TimeSpan.FromMilliseconds(250);
    private readonly RtnetlinkClient _host;
    private readonly LinkReaper _reaper;
    private readonly ConntrackFlusher _conntrack;
    private readonly MemoryHcnStore _store;
    private readonly NftRunner _nft;
    private readonly Dictionary<string, string?> _appliedTables = new(StringComparer.Ordinal);
    private readonly Dictionary<(Guid Network, NftFamily Family), string?> _subnetNat = [];
    private readonly ServiceTableSync _services = new();
    private readonly ServiceTableSync _services6 = new(NftFamily.Ip6);
    private readonly NftDriftMonitor _drift;

    /// <summary>Load balancers changed since the last commit, when nothing else needs a full nftables render.</summary>
    private readonly ConcurrentDictionary<Guid, byte> _dirtyLoadBalancers = [];

    /// <summary>Renderings made by the calls that changed a load balancer, with the instance each was made from.</summary>
    private readonly ConcurrentDictionary<Guid, (HostComputeLoadBalancer Instance, LoadBalancerRendering? Rendering)> _prerendered = [];
    private readonly ConcurrentDictionary<Guid, NamespaceBinding> _bindings = [];
    private long _changes;
    private long _committed;
    private int _nftablesDirty;

    /// <summary>Set when network tables need rendering but the services table only for the load balancers marked dirty.</summary>
    private int _networkTablesDirty;
    private int _servicesFullRenders;
    private readonly Lock _servicesCounterGate = new();
    private ServicesTableCounters _servicesCounters;
    private int _servicesResyncs;
    private volatile bool _started;
    private bool _forwarding;
    private bool _forwarding6;
    private bool _disposed;

    /// <summary>Creates a KernelHcn; objects are loaded and reconciled on the first call.</summary>
    /// <param name="options">State directory, host namespace and tools.</param>
    /// <param name="logger">Logger; none when null.</param>
    public KernelHcn(KernelHcnOptions options, ILogger<KernelHcn>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrEmpty(options.StateDirectory);
        _options = options;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        // Objects persist through the object layer's own store; KernelHcn writes them once the kernel has the change.
        _store = new MemoryHcnStore(options.StateDirectory, new MemoryHcnStoreOptions { WriteThrough = false, MigrateKernelLayout = true, CompactWhenQuietFor = StoreQuietPeriod });
        _store.RegisterExtension(BindingsKind, ReadBinding, () => _bindings.Keys);
        _objects = new MemoryHcn(new MemoryHcnOptions
        {
            ManagementIp = options.ManagementIp,
            Version = new HcnVersion(15, 4),

            // A load balancer without backends is how a Service without usable endpoints is said here: its frontend
            // rejects (ServiceRenderer), as kube-proxy's reject-chain does; HNS cannot express it.
            AcceptLoadBalancersWithoutBackends = true,
        }, store: _store);
        _nft = new NftRunner(options.NftPath, options.NsenterPath, options.HostNetnsPath, options.NftLibraryPath);
        _drift = new NftDriftMonitor(options.HostNetnsPath);
        _host = OpenHostSocket(options);
        _reaper = new LinkReaper(OpenHostSocket(options), _logger);
        _conntrack = new ConntrackFlusher(
            () => options.HostNetnsPath is { } path ? NetnsThread.Run(path, ConntrackClient.Open) : ConntrackClient.Open(),
            () => _host.ListAddresses().Select(a => a.Address), _logger);
    }

    /// <summary>How many nft batches (transactions) this instance has applied; tests check that a change needing none spawns none.</summary>
    internal int NftBatches => _nft.Batches;

    /// <summary>
    /// How many incremental services-table transactions the kernel refused, each answered with a full render: drift
    /// made outside wincni, or a transaction the sync got wrong (tests check that their changes cause none).
    /// </summary>
    internal int ServicesResyncs => Volatile.Read(ref _servicesResyncs);

    /// <summary>Syncs that rendered every load balancer (start, network changes, resyncs, drift), not only the changed ones.</summary>
    internal int ServicesFullRenders => Volatile.Read(ref _servicesFullRenders);

    /// <summary>Veths of deleted endpoints still waiting for their deletion in the background (tests wait for 0).</summary>
    internal LinkReaper Reaper => _reaper;

    /// <summary>The services-table transactions sent so far and their sizes (the services-kernel bench prints them per change).</summary>
    public ServicesTableCounters ServicesTable
    {
        get
        {
            lock (_servicesCounterGate)
            {
                return _servicesCounters;
            }
        }
    }

    /// <summary>Veths of deleted endpoints that are down and not yet deleted by the background reaper.</summary>
    public long RetiredLinksPending => _reaper.Pending;

    /// <summary>Kernel batches the background reaper has deleted retired veths in.</summary>
    public long LinkReapBatches => _reaper.Batches;

    /// <summary>The background deleter of stale UDP/SCTP conntrack entries (tests wait for it and read its counters).</summary>
    internal ConntrackFlusher Conntrack => _conntrack;

    /// <summary>Stale UDP/SCTP conntrack entries deleted after load-balancer changes removed their backend.</summary>
    public long ConntrackEntriesDeleted => _conntrack.Deleted;

    /// <summary>Conntrack cleanups that failed (logged; their flows stay where they were).</summary>
    public long ConntrackCleanupFailures => _conntrack.Failures;

    /// <summary>The namespace KernelHcn treats as the node.</summary>
    internal string HostNetnsPath => _options.HostNetnsPath ?? SelfNetns;

    /// <summary>The netns path an HCN namespace stands for.</summary>
    /// <exception cref="HcnException">0x80070490 when the namespace does not exist.</exception>
    public async Task<string> GetNetnsPathAsync(Guid namespaceId, CancellationToken cancellationToken)
    {
        using var held = await EnterSharedAsync([namespaceId], cancellationToken).ConfigureAwait(false);
        await _objects.GetNamespaceAsync(namespaceId, cancellationToken).ConfigureAwait(false);
        return _bindings[namespaceId].Path;
    }

    /// <summary>
    /// Loads the persisted objects if that has not happened yet, then makes the kernel match them again: devices,
    /// addresses, routes, neighbours, FDB entries and nftables tables (self-heal after a restart or outside changes).
    /// </summary>
    public async Task ReconcileAsync(CancellationToken cancellationToken)
    {
        using var held = await EnterAsync(cancellationToken).ConfigureAwait(false);
        await RealizeAllAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public Task<HcnVersion> GetVersionAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();

        // KernelHcn implements everything up to HNS 15.4 (incl. ModifyLoadBalancer), so it reports that version.
        return Task.FromResult(new HcnVersion(15, 4));
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;

        // First: a check in progress holds the gates disposed below.
        StopDriftLoop();

        // Before the host socket: the flusher asks it for the node's addresses.
        _conntrack.Dispose();
        _reaper.Dispose();
        _host.Dispose();
        _nft.Dispose();
        _objectLocks.Dispose();
        _startGate.Dispose();
        _commitGate.Dispose();
        _objects.Dispose();
    }

    private static RtnetlinkClient OpenHostSocket(KernelHcnOptions options) =>
        options.HostNetnsPath is { } path ? NetnsThread.Run(path, RtnetlinkClient.Open) : RtnetlinkClient.Open();

    /// <summary>Takes the lock alone (no other change runs), after starting if that has not happened yet.</summary>
    private async Task<IDisposable> EnterAsync(CancellationToken cancellationToken)
    {
        await EnsureStartedAsync(cancellationToken).ConfigureAwait(false);
        return await _gate.EnterExclusiveAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Takes the lock shared with other endpoint and namespace work, plus the locks of the objects the call changes
    /// (released in reverse), after starting if that has not happened yet.
    /// </summary>
    private async Task<IDisposable> EnterSharedAsync(IReadOnlyList<Guid> objects, CancellationToken cancellationToken)
    {
        await EnsureStartedAsync(cancellationToken).ConfigureAwait(false);
        var shared = await _gate.EnterSharedAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var locked = await _objectLocks.AcquireAsync(objects, cancellationToken).ConfigureAwait(false);
            return new Releaser(() =>
            {
                locked.Dispose();
                shared.Dispose();
            });
        }
        catch
        {
            shared.Dispose();
            throw;
        }
    }

    /// <summary>On the first call: loads the persisted objects and reconciles the kernel, alone.</summary>
    private async Task EnsureStartedAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_started)
        {
            return;
        }

        await _startGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_started)
            {
                return;
            }

            using var alone = await _gate.EnterExclusiveAsync(cancellationToken).ConfigureAwait(false);

            // Veths retired before a crash are still tagged: delete them before adopting devices.
            _reaper.ReapNow();
            await RestoreAsync(cancellationToken).ConfigureAwait(false);
            await RealizeAllAsync(cancellationToken).ConfigureAwait(false);
            if (_options.DriftCheckInterval > TimeSpan.Zero)
            {
                VerifyDriftAtStart();
            }

            _started = true;
            StartDriftLoop();
        }
        catch (Exception ex) when (IsKernelFailure(ex))
        {
            // The dataplane could not be brought up (no nft, no permission, …): callers see "service not active".
            throw KernelFailure("KernelHcn start (restore and reconcile)", ex, HcnErrorCodes.ServiceNotActive);
        }
        finally
        {
            _startGate.Release();
        }
    }

    /// <summary>Runs a read (the object layer answers consistently on its own; this only waits out exclusive changes).</summary>
    private async Task<T> ReadAsync<T>(Func<Task<T>> read, CancellationToken cancellationToken)
    {
        using var held = await EnterSharedAsync([], cancellationToken).ConfigureAwait(false);
        return await read().ConfigureAwait(false);
    }

    /// <summary>Turns a kernel-side failure into the HcnException callers of IHcn handle, with a Linux cause and fix.</summary>
    private static HcnException KernelFailure(string operation, Exception ex, int? hresult = null)
    {
        if (StateWriteFailure.IsDiskFull(ex))
        {
            // The object store could not record the change: ENOSPC, retryable once there is room.
            return StateWriteFailure.Create(operation, "wincnid's state directory (its kernel/ folder)", ex, "kernel");
        }

        var code = hresult ?? ex switch
        {
            NetlinkException { IsAlreadyExists: true } => HcnErrorCodes.AlreadyExists,
            NetlinkException { Errno: Interop.Errno.Eperm or Interop.Errno.Eacces } => HcnErrorCodes.AccessDenied,
            NetlinkException { Errno: Interop.Errno.Einval or Interop.Errno.Erange or Interop.Errno.Enetunreach } => HcnErrorCodes.InvalidParameter,
            NetlinkException { IsNotFound: true } => HcnErrorCodes.ElementNotFound,
            NetnsException => HcnErrorCodes.NamespaceAttachFailed,
            _ => HcnErrorCodes.Fail,
        };
        return new HcnException(operation, code, KernelErrorAdvice.For(ex), detail: "kernel: " + ex.Message, innerException: ex);
    }

    private static bool IsKernelFailure(Exception ex) => ex is NetlinkException or NetnsException or NftException or IOException;

    private static bool IsRemote(HostComputeEndpoint endpoint) => endpoint.Flags.HasFlag(EndpointFlags.RemoteEndpoint);

    /// <summary>
    /// Enables IPv4 forwarding in the host namespace once (pods route through it), and IPv6 forwarding once a network
    /// has an IPv6 subnet (<c>net.ipv6.conf.all.forwarding</c>, as the reference bridge plugin does; a node that takes
    /// its own IPv6 address from router advertisements then needs <c>accept_ra=2</c> on its uplink).
    /// </summary>
    private void EnsureForwarding(bool ipv6 = false)
    {
        // /proc/sys/net follows the namespace of the thread that opens it, so write it from inside the host namespace.
        if (!_forwarding)
        {
            NetnsThread.Run(HostNetnsPath, () => File.WriteAllText("/proc/sys/net/ipv4/ip_forward", "1"));
            _forwarding = true;
        }

        if (ipv6 && !_forwarding6)
        {
            NetnsThread.Run(HostNetnsPath, () => File.WriteAllText("/proc/sys/net/ipv6/conf/all/forwarding", "1"));
            _forwarding6 = true;
        }
    }

    [LoggerMessage(EventId = 2601, Level = LogLevel.Warning, Message = "Could not restore persisted {Kind} {Id}: {Reason}")]
    private partial void LogRestoreFailed(string kind, Guid id, string reason);

    [LoggerMessage(EventId = 2602, Level = LogLevel.Information, Message = "Restored {Networks} networks, {Endpoints} endpoints, {Namespaces} namespaces, {LoadBalancers} load balancers and {Routes} routes from {StateDirectory}")]
    private partial void LogRestored(int networks, int endpoints, int namespaces, int loadBalancers, int routes, string stateDirectory);

    [LoggerMessage(EventId = 2603, Level = LogLevel.Warning, Message = "Could not realize {Kind} {Id} in the kernel: {Reason}")]
    private partial void LogRealizeFailed(string kind, Guid id, string reason);

    [LoggerMessage(EventId = 2604, Level = LogLevel.Debug, Message = "Applied nftables tables {Tables}")]
    private partial void LogNftApplied(string tables);

    [LoggerMessage(EventId = 2608, Level = LogLevel.Debug,
        Message = "Applied the services table (full: {Full}): {Added} load balancers added, {Changed} changed, {Removed} removed, {Elements} elements")]
    private partial void LogServicesApplied(bool full, int added, int changed, int removed, int elements);

    [LoggerMessage(EventId = 2609, Level = LogLevel.Warning,
        Message = "The services table did not match what wincni last applied ({Reason}); rendering it whole")]
    private partial void LogServicesResync(string reason);

    [LoggerMessage(EventId = 2605, Level = LogLevel.Debug, Message = "{Operation} {Id}: {ElapsedMs:0.0} ms ({WaitMs:0.0} ms waiting for locks)")]
    private partial void LogTimed(string operation, Guid id, double elapsedMs, double waitMs);

    [LoggerMessage(EventId = 2606, Level = LogLevel.Debug, Message = "Commit: nftables {NftMs:0.0} ms, persist {PersistMs:0.0} ms, {Waiting:0.0} ms waiting")]
    private partial void LogCommit(double nftMs, double persistMs, double waiting);

    /// <summary>Logs how long a call took (Debug), so slow ADD/DEL steps show in the daemon's log.</summary>
    private void Timed(string operation, Guid id, long started, long entered)
    {
        if (_logger.IsEnabled(LogLevel.Debug))
        {
            var time = TimeProvider.System;
            LogTimed(operation, id, time.GetElapsedTime(started).TotalMilliseconds, time.GetElapsedTime(started, entered).TotalMilliseconds);
        }
    }
}
