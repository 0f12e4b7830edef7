using System.Diagnostics;
using System.Globalization;
using Cni.Node.Configuration;
using Cni.Hcn.Kernel;
using Cni.Hcn.Model;
using Cni.Node.Services;

namespace Cni.Benchmarks.Services;

/// <summary>
/// The services-kernel suite (<c>--suite services-kernel</c>, root, explicit): the same 10,000 Services through the real
/// ServiceProxyController into a real <see cref="KernelHcn"/> (nftables) in a throwaway network namespace
/// <c>wsb&lt;pid&gt;</c>, which it creates and removes with everything in it. l2bridge, every endpoint remote: a local
/// endpoint on KernelHcn is a veth into a pod namespace, and 25,000 of them would measure veth creation, not the
/// service path. Prints initial programming time (target ≤ 3 s), one endpoint change → pass done p99 (target
/// ≤ 20 ms) and this process's RSS after the initial sync and a GC (target ≤ 300 MiB, the proxy's share of wincnid).
/// </summary>
internal static class ServiceKernelBench
{
    public static async Task<bool> RunAsync(int services, int changes, TimeSpan minSyncInterval, int parallelWrites)
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
            var counting = new CountingHcn(kernel);
            // KernelHcn batches concurrent writes into one nft transaction per commit: more in flight, fewer transactions.
            var options = new ServiceProxyOptions { MinSyncInterval = minSyncInterval, ResyncPeriod = TimeSpan.FromHours(1), MaxParallelWrites = parallelWrites };
            ServiceBench.Line($"services-kernel suite, KernelHcn in netns {name}: {services} NodePort Services x {ServiceWorkload.PortsPerService} ports x 5 endpoints (all remote, l2bridge) = {workload.LoadBalancers} load balancers, {workload.RemoteAddresses} remote endpoints; {options.MaxParallelWrites} writes in flight, {Environment.ProcessorCount} cores, load average {ServiceBench.LoadAverage()}");

            var initial = Stopwatch.StartNew();
            var node = await ServiceProxyNode.StartAsync(workload, counting, network.Id, options, acceptsEmpty: true).ConfigureAwait(false);
            try
            {
                await node.WaitForPassesAsync(1, TimeSpan.FromMinutes(60)).ConfigureAwait(false);
                initial.Stop();
                var ops = counting.Snapshot();
                var report = node.Controller.LastReport;
                ServiceBench.Line($"  initial programming: {initial.Elapsed.TotalSeconds:0.00} s; HCN operations {ops.Total} ({ops}); failures {report?.Failures.Count ?? -1}");
                failed |= ServiceBench.Check($"initial programming {initial.Elapsed.TotalSeconds:0.00} s <= 3 s, nothing failed", initial.Elapsed <= TimeSpan.FromSeconds(3) && report?.Failures.Count == 0);
                GC.Collect();
                GC.WaitForPendingFinalizers();
                GC.Collect();
                var rss = Environment.WorkingSet / 1048576.0;
                ServiceBench.Line($"  memory after initial sync and a GC: managed heap {GC.GetTotalMemory(false) / 1048576.0:0} MiB, process RSS {rss:0} MiB");
                failed |= ServiceBench.Check($"bench process RSS {rss:0} MiB <= 300 MiB", rss <= 300);

                // What the process needs, once the runtime hands back what the initial burst left free (it does so by itself over time).
                GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
                ServiceBench.Line($"  after an aggressive GC (free memory returned to the OS): managed heap {GC.GetTotalMemory(false) / 1048576.0:0} MiB, process RSS {Environment.WorkingSet / 1048576.0:0} MiB");

                var figures = await ServiceBench.MeasureChangesAsync(node, counting, workload, changes, minSyncInterval).ConfigureAwait(false);
                var p99 = ServiceBench.Percentile(figures.Times, 99);
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
