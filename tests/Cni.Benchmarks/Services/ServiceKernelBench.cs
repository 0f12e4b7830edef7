using System.Diagnostics;
using System.Globalization;
using System.Diagnostics.Metrics;
using Cni.Node.Configuration;
using Cni.Node.Dataplane;
using Microsoft.Extensions.DependencyInjection;
using Cni.Hcn.Kernel;
using Cni.Hcn.Model;
using Cni.Node.Services;

namespace Cni.Benchmarks.Services;

/// <summary>
/// The services-kernel suite (<c>--suite services-kernel</c>, root, explicit): the same 10,000 Services through the real
/// ServiceProxyController into a real <see cref="KernelHcn"/> (nftables) in a throwaway network namespace
/// <c>wsb&lt;pid&gt;</c>, which it creates and removes with everything in it. l2bridge, every endpoint remote: a local
/// endpoint on KernelHcn is a veth into a pod namespace, and 25,000 of them would measure veth creation, not the
/// service path. The service proxy calls KernelHcn through the IHcn stack wincnid builds (bounded, metered). Prints
/// initial programming time (target ≤ 3 s), one endpoint change → pass done p99 (target ≤ 20 ms) with its nftables
/// transactions and their size (one per change), and this process's RSS 3 s after the initial sync, with no collection
/// forced by the bench (target ≤ 300 MiB, the proxy's share of wincnid).
/// </summary>
internal static class ServiceKernelBench
{
    /// <summary>KernelHcn's services-table counters for the change loop.</summary>
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    private static NftTransactions Counters(KernelHcn kernel) =>
        kernel.ServicesTable is var c ? new NftTransactions(c.Transactions, c.Elements, c.OverNetlink, c.FullRenders) : default;

    public static async Task<bool> RunAsync(int services, int changes, TimeSpan minSyncInterval, int? parallelWrites)
    {
        if (!OperatingSystem.IsLinux() || Environment.UserName != "root")
        {
            Console.Error.WriteLine("services-kernel suite: FAIL: needs root on Linux (network namespaces, nftables)");
            return true;
        }

        var ct = CancellationToken.None;
        var failed = false;
        var name = string.Create(CultureInfo.InvariantCulture, $"wsb{Environment.ProcessId}");
        var state = Directory.CreateTempSubdirectory("wcni-sbench-").FullName;
        Native.Run("ip", "netns", "add", name);
        try
        {
            Native.Run("ip", "-n", name, "link", "set", "lo", "up");
            using var kernel = new KernelHcn(new KernelHcnOptions { StateDirectory = state, HostNetnsPath = "/run/netns/" + name, NetnsNamePrefix = name + "-" });
            var network = await kernel.CreateNetworkAsync(new HostComputeNetwork
            {
                Name = "wincni",
                Type = NetworkType.L2Bridge,
                Ipams = [new Ipam { Subnets = [new Subnet { IpAddressPrefix = ServiceWorkload.LocalSubnet, Routes = [new Route { NextHop = "10.64.0.1", DestinationPrefix = "0.0.0.0/0" }] }] }],
            }, ct).ConfigureAwait(false);
            var workload = new ServiceWorkload(services, 5, remoteEvery: 1, overlay: false);
            // The IHcn stack wincnid builds over its dataplane (DaemonHost): calls bounded to NodeOptions' default in
            // flight, each metered; the counting wrapper sits where the service proxy calls.
            using var meters = new ServiceCollection().AddMetrics().BuildServiceProvider();
            using var bounded = new BoundedHcn(new MeteredHcn(kernel, meters.GetRequiredService<IMeterFactory>()), new NodeOptions().MaxConcurrentHcnCalls);
            var counting = new CountingHcn(bounded);
            // Each pass is a write batch: KernelHcn commits its writes together (256 at most waiting), in one nft transaction per change.
            var options = new ServiceProxyOptions { MinSyncInterval = minSyncInterval, ResyncPeriod = TimeSpan.FromHours(1), MaxParallelWrites = parallelWrites };
            ServiceBench.Line($"services-kernel suite, KernelHcn in netns {name}: {services} NodePort Services x {ServiceWorkload.PortsPerService} ports x 5 endpoints (all remote, l2bridge) = {workload.LoadBalancers} load balancers, {workload.RemoteAddresses} remote endpoints; {options.ParallelWritesFor(batchingDataplane: true)} writes in flight, {Environment.ProcessorCount} cores, load average {ServiceBench.LoadAverage()}");

            var runtimeBefore = RuntimeCost.Now();
            var initialStart = Stopwatch.GetTimestamp();
            var initial = Stopwatch.StartNew();
            var node = await ServiceProxyNode.StartAsync(workload, counting, network.Id, options, acceptsEmpty: true).ConfigureAwait(false);
            try
            {
                await node.WaitForPassesAsync(1, TimeSpan.FromMinutes(60)).ConfigureAwait(false);
                initial.Stop();
                var runtime = RuntimeCost.Now() - runtimeBefore;
                var ops = counting.Snapshot();
                var report = node.Controller.LastReport;
                ServiceBench.Line($"  initial programming: {initial.Elapsed.TotalSeconds:0.00} s; HCN operations {ops.Total} ({ops}); failures {report?.Failures.Count ?? -1}");
                ServiceBench.Line($"    of which the .NET runtime: {runtime}");
                var firstHcnCall = counting.FirstStarts().Values.DefaultIfEmpty(initialStart).Min();
                ServiceBench.Line($"    first HCN call {Stopwatch.GetElapsedTime(initialStart, firstHcnCall).TotalSeconds:0.00} s after the start (caches, translation, plans); spans of the writes (first call's start to last call's end): {string.Join(", ", counting.Spans().Where(s => s.Key.StartsWith("Create", StringComparison.Ordinal)).Select(s => string.Create(CultureInfo.InvariantCulture, $"{s.Key} {s.Value.TotalSeconds:0.00} s")))}");
                failed |= ServiceBench.Check($"initial programming {initial.Elapsed.TotalSeconds:0.00} s <= 3 s, nothing failed", initial.Elapsed <= TimeSpan.FromSeconds(3) && report?.Failures.Count == 0);
                // What the process holds by itself a few seconds later: no collection forced here. (The controller
                // hands back what the burst needed once its pass is done, BurstMemoryRelease.)
                await Task.Delay(TimeSpan.FromSeconds(3)).ConfigureAwait(false);
                var rss = Environment.WorkingSet / 1048576.0;
                ServiceBench.Line($"  memory 3 s after the initial sync: managed heap {GC.GetTotalMemory(false) / 1048576.0:0} MiB, process RSS {rss:0} MiB ({GC.CollectionCount(2)} gen2 collections so far)");
                failed |= ServiceBench.Check($"bench process RSS {rss:0} MiB <= 300 MiB", rss <= 300);

                var figures = await ServiceBench.MeasureChangesAsync(node, counting, workload, changes, minSyncInterval, () => OperatingSystem.IsLinux() ? Counters(kernel) : default).ConfigureAwait(false);
                var p99 = ServiceBench.Percentile(figures.Times, 99);
                var sizes = figures.Nftables.Select(n => (double)n.Elements).Order().ToList();
                var perChange = figures.Nftables.Select(n => (double)n.Transactions).Order().ToList();
                ServiceBench.Line($"  one endpoint change, nftables: {ServiceBench.Percentile(perChange, 50):0} transaction(s) per change (max {perChange[^1]:0}), set elements added+deleted per change p50 {ServiceBench.Percentile(sizes, 50):0}, p99 {ServiceBench.Percentile(sizes, 99):0}, max {sizes[^1]:0}; over netlink {figures.Nftables.Sum(n => n.OverNetlink)} of {figures.Nftables.Sum(n => n.Transactions)} transactions, full renders {figures.Nftables.Sum(n => n.FullRenders)}");
                failed |= ServiceBench.Check($"one nftables transaction per change (the pass's 4 load balancer modifies and 2 remote endpoint writes together): {perChange.Count(t => t == 1)}/{changes}", perChange.All(t => t == 1));
                ServiceBench.Line($"  one endpoint change x {changes}: event -> pass done p50 {ServiceBench.Percentile(figures.Times, 50):0.0} ms, p99 {p99:0.0} ms, max {figures.Times[^1]:0.0} ms; exact writes in {figures.Exact}/{changes}{(figures.Wrong is null ? "" : " (first other: " + figures.Wrong + ")")}");
                failed |= ServiceBench.Check($"event -> HCN done p99 {p99:0.0} ms <= 20 ms (load average now {ServiceBench.LoadAverage()})", p99 <= 20);
            }
            finally
            {
                await node.DisposeAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            Native.TryRun("ip", ["netns", "del", name], out _);
            foreach (var file in Directory.Exists("/run/netns") ? Directory.GetFiles("/run/netns", name + "-*") : [])
            {
                Native.TryRun("ip", ["netns", "del", Path.GetFileName(file)], out _);
            }

            Directory.Delete(state, recursive: true);
        }

        return failed;
    }
}
