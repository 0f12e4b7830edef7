using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Cni.Benchmarks;

/// <summary>
/// The daemon suite: a real ADD through <c>wincni</c> → socket → <c>wincnid --dataplane memory</c>, against Debian's
/// reference <c>bridge</c> + <c>host-local</c> ADD into a fresh network namespace, interleaved in one run. Then 200
/// ADDs through wincni with bounded parallelism against 200 sequential reference ADDs, by wall time.
/// </summary>
/// <remarks>
/// Only what the suite creates is touched: netns <c>wcb&lt;pid&gt;-N</c>, the bridge <c>wcnib&lt;pid&gt;</c> (the reference plugin
/// creates it in the root namespace), a host-local data dir and the daemon's temp dir. All of it is removed at the
/// end, also on failure. <c>isGateway</c> makes the reference plugin set net.ipv4.ip_forward=1; the previous value
/// is put back.
/// </remarks>
internal static class DaemonBench
{
    private const string NetworkName = "wcnibench";
    private const string IpForward = "/proc/sys/net/ipv4/ip_forward";

    public static async Task<bool> RunAsync(string binDir, string referenceDir, int runs, int pods, int parallelism)
    {
        var wincni = Path.Combine(binDir, OperatingSystem.IsWindows() ? "wincni.exe" : "wincni");
        var wincnid = Path.Combine(binDir, OperatingSystem.IsWindows() ? "wincnid.exe" : "wincnid");
        var bridge = Path.Combine(referenceDir, "bridge");
        foreach (var binary in new[] { wincni, wincnid, bridge, Path.Combine(referenceDir, "host-local") })
        {
            if (!File.Exists(binary))
            {
                Console.Error.WriteLine($"daemon suite: missing {binary}: publish first and install containernetworking-plugins");
                return true;
            }
        }

        if (!OperatingSystem.IsLinux() || Environment.UserName != "root")
        {
            Console.Error.WriteLine("daemon suite: FAIL: the reference side needs root on Linux (ip netns, a bridge)");
            return true;
        }

        var pid = Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        var bridgeName = "wcnib" + (Environment.ProcessId % 100_000).ToString(CultureInfo.InvariantCulture);
        var hostLocalDir = Directory.CreateTempSubdirectory("wcni-bench-hl-").FullName;
        var netnsFiles = Directory.CreateTempSubdirectory("wcni-bench-ns-").FullName;
        var createdNetns = new HashSet<string>(StringComparer.Ordinal);
        var ipForwardBefore = File.ReadAllText(IpForward).Trim();
        var loadBefore = File.ReadAllText("/proc/loadavg").Trim();
        var referenceConfig = Encoding.UTF8.GetBytes(
            "{\"cniVersion\":\"1.0.0\",\"name\":\"" + NetworkName + "\",\"type\":\"bridge\",\"bridge\":\"" + bridgeName
            + "\",\"isGateway\":true,\"ipMasq\":false,\"ipam\":{\"type\":\"host-local\",\"subnet\":\"10.250.0.0/16\",\"dataDir\":\"" + hostLocalDir + "\"}}");
        var counter = 0;

        BenchDaemon? daemon = null;
        try
        {
            daemon = await BenchDaemon.StartAsync(wincnid, NetworkName, "10.244.0.0/20").ConfigureAwait(false);
            var wincniConfig = Encoding.UTF8.GetBytes(
                "{\"cniVersion\":\"1.1.0\",\"name\":\"" + NetworkName + "\",\"type\":\"wincni\",\"socket\":\"" + daemon.SocketPath + "\"}");

            string NewNetns()
            {
                var name = string.Create(CultureInfo.InvariantCulture, $"wcb{pid}-{Interlocked.Increment(ref counter)}");
                createdNetns.Add(name);
                Native.Run("ip", "netns", "add", name);
                return name;
            }

            void DropNetns(string name)
            {
                Native.Run("ip", "netns", "del", name);
                createdNetns.Remove(name);
            }

            Dictionary<string, string> ReferenceEnv(string command, string netns) => new()
            {
                ["CNI_COMMAND"] = command,
                ["CNI_CONTAINERID"] = netns,
                ["CNI_NETNS"] = "/run/netns/" + netns,
                ["CNI_IFNAME"] = "eth0",
                ["CNI_PATH"] = referenceDir,
            };

            Dictionary<string, string> WincniEnv(string command, string id) => new()
            {
                ["CNI_COMMAND"] = command,
                ["CNI_CONTAINERID"] = id,
                ["CNI_NETNS"] = Path.Combine(netnsFiles, id),
                ["CNI_IFNAME"] = "eth0",
                ["CNI_PATH"] = "/opt/cni/bin",
                ["CNI_ARGS"] = "IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME=" + id,
            };

            TimeSpan ReferenceAdd()
            {
                var netns = NewNetns();
                try
                {
                    return ExecTimer.Run(bridge, ReferenceEnv("ADD", netns), referenceConfig);
                }
                finally
                {
                    ExecTimer.Run(bridge, ReferenceEnv("DEL", netns), referenceConfig);
                    DropNetns(netns);
                }
            }

            TimeSpan WincniAdd()
            {
                var id = string.Create(CultureInfo.InvariantCulture, $"wcb{pid}-{Interlocked.Increment(ref counter)}");
                File.WriteAllText(Path.Combine(netnsFiles, id), "");
                try
                {
                    return ExecTimer.Run(wincni, WincniEnv("ADD", id), wincniConfig);
                }
                finally
                {
                    ExecTimer.Run(wincni, WincniEnv("DEL", id), wincniConfig);
                    File.Delete(Path.Combine(netnsFiles, id));
                }
            }

            // ---- single ADD latency, interleaved
            var warmup = Math.Max(5, runs / 10);
            for (var i = 0; i < warmup; i++)
            {
                ReferenceAdd();
                WincniAdd();
            }

            var referenceSamples = new List<TimeSpan>(runs);
            var wincniSamples = new List<TimeSpan>(runs);
            for (var i = 0; i < runs; i++)
            {
                referenceSamples.Add(ReferenceAdd());
                wincniSamples.Add(WincniAdd());
            }

            var reference = Percentiles.Of(referenceSamples);
            var ours = Percentiles.Of(wincniSamples);

            // ---- 200 sequential reference ADDs vs 200 parallel wincni ADDs (namespaces made and removed untimed)
            var referenceNetns = Enumerable.Range(0, pods).Select(_ => NewNetns()).ToList();
            var sequential = Stopwatch.StartNew();
            foreach (var netns in referenceNetns)
            {
                ExecTimer.Run(bridge, ReferenceEnv("ADD", netns), referenceConfig);
            }

            sequential.Stop();
            foreach (var netns in referenceNetns)
            {
                ExecTimer.Run(bridge, ReferenceEnv("DEL", netns), referenceConfig);
                DropNetns(netns);
            }

            var ids = Enumerable.Range(0, pods).Select(i => string.Create(CultureInfo.InvariantCulture, $"wcbpar{pid}-{i}")).ToList();
            foreach (var id in ids)
            {
                File.WriteAllText(Path.Combine(netnsFiles, id), "");
            }

            var parallel = Stopwatch.StartNew();
            Parallel.ForEach(ids, new ParallelOptions { MaxDegreeOfParallelism = parallelism }, id => ExecTimer.Run(wincni, WincniEnv("ADD", id), wincniConfig));
            parallel.Stop();
            Parallel.ForEach(ids, new ParallelOptions { MaxDegreeOfParallelism = parallelism }, id => ExecTimer.Run(wincni, WincniEnv("DEL", id), wincniConfig));

            var loadAfter = File.ReadAllText("/proc/loadavg").Trim();
            Console.WriteLine();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"daemon benchmark: {runs} interleaved ADDs per side after {warmup} warm-up rounds, {Environment.ProcessorCount} cores"));
            Console.WriteLine($"  load average before: {loadBefore}; after: {loadAfter}");
            Console.WriteLine($"  reference: {bridge} + host-local, cniVersion 1.0.0, isGateway, fresh `ip netns add` per ADD (DEL + netns del untimed)");
            Console.WriteLine($"  wincni:    {wincni} -> AF_UNIX -> wincnid --dataplane memory (persisted), fresh netns path per ADD (DEL untimed)");
            Console.WriteLine($"{"case",-46} {"p50 ms",8} {"p95 ms",8} {"min ms",8}");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{"bridge+host-local ADD (reference)",-46} {reference.P50Ms,8:0.00} {reference.P95Ms,8:0.00} {reference.MinMs,8:0.00}"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{"wincni ADD -> wincnid -> MemoryHcn",-46} {ours.P50Ms,8:0.00} {ours.P95Ms,8:0.00} {ours.MinMs,8:0.00}"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{pods} sequential reference ADDs: {sequential.Elapsed.TotalMilliseconds:0} ms wall"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{pods} wincni ADDs, {parallelism} at a time:  {parallel.Elapsed.TotalMilliseconds:0} ms wall"));

            var checks = new (string Name, double Ratio, double Limit, bool Strict)[]
            {
                ("wincni ADD p50 / reference ADD p50", ours.P50Ms / reference.P50Ms, 0.5, false),
                ($"{pods} parallel wincni / {pods} sequential reference", parallel.Elapsed / sequential.Elapsed, 1.0, true),
            };
            var failed = false;
            foreach (var check in checks)
            {
                var ok = check.Strict ? check.Ratio < check.Limit : check.Ratio <= check.Limit;
                failed |= !ok;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{check.Name,-46} {check.Ratio,6:0.00}x (target {(check.Strict ? "<" : "<=")} {check.Limit:0.0}x) {(ok ? "PASS" : "FAIL")}"));
            }

            return failed;
        }
        finally
        {
            daemon?.Dispose();
            foreach (var netns in createdNetns)
            {
                Native.TryRun("ip", ["netns", "del", netns], out _);
            }

            Native.TryRun("ip", ["link", "del", bridgeName], out _);
            if (File.ReadAllText(IpForward).Trim() != ipForwardBefore)
            {
                File.WriteAllText(IpForward, ipForwardBefore);
            }

            Directory.Delete(hostLocalDir, recursive: true);
            Directory.Delete(netnsFiles, recursive: true);
        }
    }
}
