using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using Cni.Node.Configuration;
using Cni.Hcn.Memory;
using Cni.Hcn.Model;
using Cni.Hcn.Model.Policies;
using Cni.Node.Services;

namespace Cni.Benchmarks.Services;

/// <summary>
/// The services suite (<c>--suite services</c>): the issue-12 scale (<see cref="ServiceWorkload"/>) through the real
/// ServiceProxyController into MemoryHcn, once without HCN latency and once with a modelled latency per HCN call:
/// initial programming (time, HCN operations, at most one write per load balancer and per remote endpoint), then
/// single-endpoint changes (EndpointSlice event → pass done, and exactly the affected objects' operations), a resync
/// that repairs a load balancer deleted out of band, and a restart that adopts everything without a write; each
/// beside the operations winkernel's algorithm needs for the same sync (<see cref="WinkernelModel"/>).
/// </summary>
internal static class ServiceBench
{
    private const int EndpointsPerService = 5;
    internal const int LoadBalancersPerService = ServiceWorkload.PortsPerService * ServiceWorkload.FrontendsPerPort;

    /// <summary>Runs the suite at each latency; returns whether a target was missed.</summary>
    public static async Task<bool> RunAsync(int services, int changes, TimeSpan minSyncInterval, IReadOnlyList<TimeSpan> latencies)
    {
        var failed = false;
        for (var i = 0; i < latencies.Count; i++)
        {
            failed |= await RunOneAsync(services, changes, minSyncInterval, latencies[i], measureMemory: i == 0).ConfigureAwait(false);
        }

        return failed;
    }

    /// <param name="measureMemory">Whether to split the memory figure (only a process's first run: an earlier run's objects may still be collected during a later one).</param>
    private static async Task<bool> RunOneAsync(int services, int changes, TimeSpan minSyncInterval, TimeSpan latency, bool measureMemory)
    {
        var failed = false;
        var ct = CancellationToken.None;
        var workload = new ServiceWorkload(services, EndpointsPerService, remoteEvery: 2, overlay: true);
        var hcn = new MemoryHcn(new MemoryHcnOptions());
        var network = await hcn.CreateNetworkAsync(OverlayNetwork(), ct).ConfigureAwait(false);
        var setup = Stopwatch.StartNew();
        foreach (var address in workload.LocalAddresses)
        {
            await hcn.CreateEndpointAsync(network.Id, new HostComputeEndpoint { Name = "pod-" + address, IpConfigurations = [new IpConfig { IpAddress = address.ToString() }] }, ct).ConfigureAwait(false);
        }

        setup.Stop();
        hcn.Latency = latency;
        var counting = new CountingHcn(hcn);
        // No periodic resync while measuring (it would hold a change up by a full pass); step 3 runs one on purpose.
        var options = new ServiceProxyOptions { MinSyncInterval = minSyncInterval, ResyncPeriod = TimeSpan.FromHours(1) };
        var latencyMs = latency.TotalMilliseconds;
        Line($"services suite, MemoryHcn with {latencyMs:0} ms per HCN call: {services} NodePort Services x {ServiceWorkload.PortsPerService} ports x {EndpointsPerService} endpoints (half on {ServiceWorkload.Peers} peer nodes, overlay) = {workload.LoadBalancers} load balancers, {workload.RemoteAddresses} remote endpoints, {workload.LocalAddresses.Count} local pod endpoints (set up in {setup.Elapsed.TotalSeconds:0.0} s); {options.ParallelWritesFor(batchingDataplane: false)} writes in flight, {Environment.ProcessorCount} cores, load average {LoadAverage()}");

        // 1. Initial programming: caches list, first pass writes everything.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var heapBefore = GC.GetTotalMemory(true);
        var before = counting.Snapshot();
        var runtimeBefore = RuntimeCost.Now();
        var initial = Stopwatch.StartNew();
        var node = await ServiceProxyNode.StartAsync(workload, counting, network.Id, options).ConfigureAwait(false);
        await node.WaitForPassesAsync(1, TimeSpan.FromMinutes(30)).ConfigureAwait(false);
        initial.Stop();
        var ops = counting.Snapshot() - before;
        var report = node.Controller.LastReport;
        var lbs = (await hcn.EnumerateLoadBalancersAsync(null, ct).ConfigureAwait(false)).Count(lb => LoadBalancerIds.IsOwned(lb.Id));
        var remotes = (await hcn.EnumerateEndpointsAsync(null, ct).ConfigureAwait(false)).Count(e => RemoteEndpointIds.IsOwned(e.Id));
        // Remote endpoints include, on overlay, one per ClusterIP (IP = the ClusterIP, PA = this node), as winkernel makes them.
        var vipEndpoints = workload.Overlay ? workload.ServiceCount : 0;
        var writeLimit = workload.LoadBalancers + workload.RemoteAddresses + vipEndpoints;
        var winkernel = WinkernelModel.InitialSync(workload, workload.LocalAddresses.Count);
        var runtime = RuntimeCost.Now() - runtimeBefore;
        Line($"  initial programming: {initial.Elapsed.TotalSeconds:0.00} s from controller start to first pass done; in HCN {lbs} load balancers, {remotes} remote endpoints; failures {report?.Failures.Count ?? -1}");
        Line($"    of which the .NET runtime: {runtime}");
        if (report?.Failures is { Count: > 0 } failures)
        {
            Line($"    first failure: {failures[0].Key}: {failures[0].Message}");
        }
        Line($"  initial HCN operations: {ops.Total} ({ops}); {ops.RpcEquivalent} as HNS RPCs (a list of N = N+1)");
        failed |= Check($"initial writes {ops.Writes} <= one per LB and per remote endpoint ({writeLimit}, {vipEndpoints} of them ClusterIP endpoints), all programmed",
            ops.Writes <= writeLimit && lbs == workload.LoadBalancers && remotes == workload.RemoteAddresses);
        var serial = latencyMs > 0
            ? string.Create(CultureInfo.InvariantCulture, $"; at {latencyMs:0} ms per RPC, one at a time as winkernel makes them (§5.2, §6), {winkernel.Rpcs * latencyMs / 1000:0} s")
            : "";
        Line($"  winkernel, same sync (model): {winkernel.Writes} writes, {winkernel.Rpcs} HNS RPCs; ratio wincni/winkernel: writes {Ratio(ops.Writes, winkernel.Writes)}, RPCs {Ratio(ops.RpcEquivalent, winkernel.Rpcs)}{serial}");
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        var heapAfter = GC.GetTotalMemory(false);
        var growth = heapAfter - heapBefore;
        var rss = Environment.WorkingSet;
        var hcnShare = measureMemory ? await MemoryHcnShareAsync(hcn).ConfigureAwait(false) : 0;
        if (!measureMemory)
        {
            Line($"  memory after initial sync and a GC: managed heap {heapAfter / 1048576.0:0} MiB, process RSS {rss / 1048576.0:0} MiB (split in the first run only)");
        }
        else
        {
            Line($"  memory after initial sync and a GC: managed heap {heapAfter / 1048576.0:0} MiB, {growth / 1048576.0:0} MiB more than before the controller started, of which MemoryHcn holding the {workload.LoadBalancers + workload.RemoteAddresses} new objects ~{hcnShare / 1048576.0:0} MiB (the same objects put into an empty one), so the service proxy's caches, translations and engine state ~{(growth - hcnShare) / 1048576.0:0} MiB; process RSS {rss / 1048576.0:0} MiB");
            var (caches, translations) = await ProxyPartsAsync(workload).ConfigureAwait(false);
            Line($"    of those: the Service and EndpointSlice ResourceCaches over the same objects ~{caches / 1048576.0:0} MiB, every Service's translation ~{translations / 1048576.0:0} MiB, so the engine's view and plans ~{(growth - hcnShare - caches - translations) / 1048576.0:0} MiB");
        }

        // 2. One endpoint change at a time, each after the minimum interval since the last pass, so it never waits for it.
        var (times, exact, reads, rpcs, wrong, changeOps, _) = await MeasureChangesAsync(node, counting, workload, changes, minSyncInterval).ConfigureAwait(false);
        var p99 = Percentile(times, 99);

        // The pass's HCN calls on the critical path: remote endpoint create, then the LB modifies (in parallel), then the remote delete.
        var budget = 50 + (3 * latencyMs);
        var change = WinkernelModel.EndpointChange(workload, workload.LocalAddresses.Count, LoadBalancersPerService, modify: true);
        var changeWithoutModify = WinkernelModel.EndpointChange(workload, workload.LocalAddresses.Count, LoadBalancersPerService, modify: false);
        Line($"  one endpoint change x {changes} (min sync interval {minSyncInterval.TotalMilliseconds:0} ms, changes spaced past it): EndpointSlice event -> pass done p50 {Percentile(times, 50):0.0} ms, p99 {p99:0.0} ms, max {times[^1]:0.0} ms");
        Line($"  per change: {(double)(LoadBalancersPerService + 2):0} writes expected ({LoadBalancersPerService} LB modifies, 1 remote endpoint create, 1 delete); reads {reads / (double)changes:0.0} calls, {rpcs / (double)changes:0} HNS RPCs on average");
        failed |= Check($"exactly the affected objects' writes in {exact}/{changes} changes{(wrong is null ? "" : " (first other: " + wrong + ")")}", exact == changes);
        failed |= Check($"event -> HCN done p99 {p99:0.0} ms <= 50 ms + 3 sequential HCN calls x {latencyMs:0} ms = {budget:0} ms (load average now {LoadAverage()})", p99 <= budget);
        Line($"  winkernel, same change (model): {change.Writes} writes ({changeWithoutModify.Writes} without ModifyLoadBalancer), {change.Rpcs} HNS RPCs (lists {change.Reads - 2} objects); ratio wincni/winkernel RPCs {Ratio(rpcs / (double)changes, change.Rpcs)}");

        // 3. A wincnid restart: a new controller and engine over the same HCN adopt everything and write nothing
        //    (its first pass is a full one: it lists HCN and compares every load balancer, as each periodic resync does).
        await node.DisposeAsync().ConfigureAwait(false);
        var resyncOptions = options with { ResyncPeriod = TimeSpan.FromSeconds(2) };
        before = counting.Snapshot();
        var restart = Stopwatch.StartNew();
        node = await ServiceProxyNode.StartAsync(workload, counting, network.Id, resyncOptions).ConfigureAwait(false);
        await node.WaitForPassesAsync(1, TimeSpan.FromMinutes(10)).ConfigureAwait(false);
        restart.Stop();
        ops = counting.Snapshot() - before;
        Line($"  restart: first (full) pass done {restart.Elapsed.TotalSeconds:0.00} s after start; HCN operations {ops.Total} ({ops}), {ops.RpcEquivalent} HNS RPCs");
        failed |= Check($"restart adopts everything with {ops.Writes} writes", ops.Writes == 0);

        // 4. A load balancer deleted out of band comes back at the next resync (2 s here, 30 s by default), which lists HCN.
        await node.WaitForQuietAsync(counting, minSyncInterval).ConfigureAwait(false);
        var victim = LoadBalancerKey.For(new ServicePortName(ServiceWorkload.Namespace, "svc-0", "http", Cni.Hcn.Model.Policies.ProtocolType.Tcp), AddressFamily.InterNetwork, FrontendKind.ClusterIp, null).Id;
        await hcn.DeleteLoadBalancerAsync(victim, ct).ConfigureAwait(false);
        before = counting.Snapshot();
        var resyncPasses = node.Controller.Passes;
        var waited = Stopwatch.StartNew();
        var repaired = false;

        // A resync already running when the delete came may have listed before it: then the next one repairs.
        for (var pass = 1; pass <= 2 && !repaired; pass++)
        {
            await node.WaitForPassesAsync(resyncPasses + pass, resyncOptions.ResyncPeriod + TimeSpan.FromMinutes(2)).ConfigureAwait(false);
            repaired = (await hcn.EnumerateLoadBalancersAsync(HostComputeQuery.ById(victim), ct).ConfigureAwait(false)).Count == 1;
        }

        ops = counting.Snapshot() - before;
        Line($"  resync after an out-of-band LB delete: done {waited.Elapsed.TotalSeconds:0.0} s after the delete; HCN operations {ops.Total} ({ops}), {ops.RpcEquivalent} HNS RPCs");
        failed |= Check("out-of-band deletion repaired by the next resync", repaired && ops.Writes == 1);
        await node.DisposeAsync().ConfigureAwait(false);
        return failed;
    }

    /// <summary>
    /// <paramref name="changes"/> single-endpoint moves (after 10 not counted), each sent when no pass runs and the
    /// minimum interval since the last one has passed: the time from the watch event to the end of the pass that
    /// realized it, and its operations.
    /// </summary>
    /// <param name="nftables">KernelHcn's services-table counters, when the dataplane is KernelHcn: each change's transactions and elements are recorded too.</param>
    internal static async Task<ChangeFigures> MeasureChangesAsync(
        ServiceProxyNode node, CountingHcn counting, ServiceWorkload workload, int changes, TimeSpan minSyncInterval, Func<NftTransactions>? nftables = null)
    {
        var transactions = new List<NftTransactions>(changes);
        var random = new Random(12);
        var times = new List<double>(changes);
        var exact = 0;
        var reads = 0L;
        var rpcs = 0L;
        var gcPauses = new List<double>(changes);
        var withGen1 = 0;
        HcnOperationCounts? wrong = null;

        // The first few changes warm the JIT up (tiered compilation); a long-running daemon is past that.
        const int WarmUp = 10;
        HcnOperationCounts? first = null;
        for (var c = -WarmUp; c < changes; c++)
        {
            await node.WaitForQuietAsync(counting, minSyncInterval).ConfigureAwait(false);
            var service = random.Next(workload.ServiceCount);
            var before = counting.Snapshot();
            var passes = node.Controller.Passes;
            var slice = workload.MoveOneRemoteEndpoint(service, random, DateTimeOffset.UtcNow);
            var gen1 = GC.CollectionCount(1);
            var pause = GC.GetTotalPauseDuration();
            var nftBefore = nftables?.Invoke() ?? default;
            var start = Stopwatch.GetTimestamp();
            node.Slices.Apply(slice);

            // Done at the end of the first pass after which the change's writes are all in HCN (a pass that was
            // already running when the event came does not count, however it ends).
            HcnOperationCounts ops;
            do
            {
                await node.WaitForPassesAsync(++passes, TimeSpan.FromMinutes(5)).ConfigureAwait(false);
                ops = counting.Snapshot() - before;
            }
            while (ops["DeleteEndpoint"] < 1 || ops["ModifyLoadBalancer"] + ops["CreateLoadBalancer"] < LoadBalancersPerService);

            if (c < 0)
            {
                continue;
            }

            first ??= before;
            times.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            if (nftables is not null)
            {
                transactions.Add(nftables() - nftBefore);
            }

            gcPauses.Add((GC.GetTotalPauseDuration() - pause).TotalMilliseconds);
            withGen1 += GC.CollectionCount(1) > gen1 ? 1 : 0;
            reads += ops.Reads;
            rpcs += ops.RpcEquivalent;
            if (ops.Writes == LoadBalancersPerService + 2 && ops["ModifyLoadBalancer"] == LoadBalancersPerService && ops["CreateEndpoint"] == 1 && ops["DeleteEndpoint"] == 1)
            {
                exact++;
            }
            else
            {
                wrong ??= ops;
            }
        }

        var slowest = times.Select((t, i) => (t, i)).OrderByDescending(p => p.t).Take(Math.Max(1, changes / 50)).ToList();
        Line($"  the slowest {slowest.Count} changes: {string.Join(", ", slowest.Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.t:0.0} ms (GC pauses {gcPauses[p.i]:0.0} ms)")))}; {withGen1} of {changes} passes had a gen1+ GC");
        times.Sort();
        var all = counting.Snapshot() - first!;
        Line($"  per change, inside HCN calls: {all.Timing(changes)} (the rest of a pass is the service proxy's own work)");
        return new ChangeFigures(times, exact, reads, rpcs, wrong, all, transactions);
    }

    private static HostComputeNetwork OverlayNetwork() => new()
    {
        Name = "wincni",
        Type = NetworkType.Overlay,
        Ipams =
        [
            new Ipam
            {
                Type = IpamType.Static,
                Subnets =
                [
                    new Subnet
                    {
                        IpAddressPrefix = ServiceWorkload.LocalSubnet,
                        Routes = [new Route { NextHop = "10.64.0.1", DestinationPrefix = "0.0.0.0/0" }],
                        Policies = [SubnetPolicy.Create(new VsidPolicySetting { IsolationId = 4096 })],
                    },
                ],
            },
        ],
    };

    /// <summary>The 1/5/15-minute load averages: the machine is shared, and others' work shows in the tail.</summary>
    internal static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    /// <summary>What three synced ResourceCaches over the workload's objects, and then translating every Service, add to the heap.</summary>
    private static async Task<(long Caches, long Translations)> ProxyPartsAsync(ServiceWorkload workload)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var start = GC.GetTotalMemory(true);
        using var stop = new CancellationTokenSource();
        var services = new Cni.Node.Kubernetes.Cache.ResourceCache<k8s.Models.V1Service>(
            new MemoryListWatchSource<k8s.Models.V1Service>("services", workload.Services), TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        var slices = new Cni.Node.Kubernetes.Cache.ResourceCache<k8s.Models.V1EndpointSlice>(
            new MemoryListWatchSource<k8s.Models.V1EndpointSlice>("endpointslices", workload.Slices), TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        var running = Task.WhenAll(services.RunAsync(stop.Token), slices.RunAsync(stop.Token));
        await Task.WhenAll(services.WaitForSyncAsync(CancellationToken.None), slices.WaitForSyncAsync(CancellationToken.None)).ConfigureAwait(false);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var cached = GC.GetTotalMemory(true);
        var byService = workload.Slices.ToDictionary(s => s.Metadata.Labels[ServiceProxyController.ServiceNameLabel], s => (IReadOnlyList<k8s.Models.V1EndpointSlice>)[s], StringComparer.Ordinal);
        var translated = workload.Services.Select(s => ServiceTranslator.Translate(s, byService[s.Metadata.Name], workload.Facts)).ToList();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var withTranslations = GC.GetTotalMemory(true);
        GC.KeepAlive(translated);
        GC.KeepAlive(byService);
        await stop.CancelAsync().ConfigureAwait(false);
        await running.ConfigureAwait(false);
        return (cached - start, withTranslations - cached);
    }

    /// <summary>What an empty MemoryHcn grows by when given copies of the owned load balancers and remote endpoints <paramref name="hcn"/> holds.</summary>
    private static async Task<long> MemoryHcnShareAsync(MemoryHcn hcn)
    {
        var latency = hcn.Latency;
        hcn.Latency = TimeSpan.Zero;
        var loadBalancers = (await hcn.EnumerateLoadBalancersAsync(null, CancellationToken.None).ConfigureAwait(false)).Where(lb => LoadBalancerIds.IsOwned(lb.Id)).ToList();
        var endpoints = (await hcn.EnumerateEndpointsAsync(null, CancellationToken.None).ConfigureAwait(false)).ToList();
        hcn.Latency = latency;
        var copy = new MemoryHcn(new MemoryHcnOptions());
        var copyNetwork = await copy.CreateNetworkAsync(OverlayNetwork(), CancellationToken.None).ConfigureAwait(false);
        foreach (var endpoint in endpoints.Where(e => !RemoteEndpointIds.IsOwned(e.Id)))
        {
            await copy.CreateEndpointAsync(copyNetwork.Id, endpoint with { HostComputeNetwork = copyNetwork.Id }, CancellationToken.None).ConfigureAwait(false);
        }

        GC.Collect();
        GC.WaitForPendingFinalizers();
        var before = GC.GetTotalMemory(true);
        foreach (var endpoint in endpoints.Where(e => RemoteEndpointIds.IsOwned(e.Id)))
        {
            await copy.CreateEndpointAsync(copyNetwork.Id, endpoint with { HostComputeNetwork = copyNetwork.Id }, CancellationToken.None).ConfigureAwait(false);
        }

        foreach (var lb in loadBalancers)
        {
            await copy.CreateLoadBalancerAsync(lb with { HostComputeNetwork = copyNetwork.Id }, CancellationToken.None).ConfigureAwait(false);
        }

        GC.Collect();
        GC.WaitForPendingFinalizers();
        var grown = GC.GetTotalMemory(true) - before;
        GC.KeepAlive(copy);
        return grown;
    }

    internal static bool Check(string name, bool ok)
    {
        Line($"  {name}: {(ok ? "PASS" : "FAIL")}");
        return !ok;
    }

    internal static void Line(FormattableString text) => Console.WriteLine(text.ToString(CultureInfo.InvariantCulture));

    internal static string Ratio(double ours, double theirs) => ours >= theirs / 100
        ? (ours / theirs).ToString("0.000", CultureInfo.InvariantCulture) + "x"
        : string.Create(CultureInfo.InvariantCulture, $"1/{theirs / Math.Max(ours, 1):0}");

    internal static double Percentile(List<double> sorted, int percent) => sorted[Math.Clamp((int)Math.Ceiling(sorted.Count * percent / 100.0) - 1, 0, sorted.Count - 1)];
}
