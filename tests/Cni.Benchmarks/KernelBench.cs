using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Cni.Benchmarks;

/// <summary>
/// The kernel suite (<c>--suite kernel</c>): ADD and DEL through <c>wincni</c> → socket → <c>wincnid --dataplane kernel</c>
/// (bridge, veth, netns, nftables) against Debian's reference <c>bridge</c> + <c>host-local</c> on the same kind of fresh
/// pod netns, interleaved in one run; then N pods added in parallel through wincni against the reference's sequential time.
/// </summary>
/// <remarks>
/// Both sides run inside one bench "node" namespace: wincnid is started there with <c>ip netns exec</c>, and every
/// timed plugin exec (reference and wincni alike) goes through <c>nsenter --net=&lt;node&gt;</c>, so the reference's
/// bridge lives in the node and both pay the same exec overhead; the root namespace gets nothing. Pod namespaces are
/// <c>wkb&lt;pid&gt;-N</c>. Everything (pods, node, daemon, temp dirs) is removed at the end, also on failure.
/// </remarks>
internal static class KernelBench
{
    private const string NetworkName = "wincni";
    private const string BenchNodeIp = "192.168.251.10";

    /// <summary>The link group KernelHcn tags retired veths with (LinkReaper.Group, 0x77636E69).</summary>
    private const string RetiredLinkGroup = "2003005033";

    public static async Task<bool> RunAsync(string binDir, string referenceDir, int runs, int pods)
    {
        var wincni = Path.Combine(binDir, "wincni");
        var wincnid = Path.Combine(binDir, "wincnid");
        var bridge = Path.Combine(referenceDir, "bridge");
        foreach (var binary in new[] { wincni, wincnid, bridge, Path.Combine(referenceDir, "host-local") })
        {
            if (!File.Exists(binary))
            {
                Console.Error.WriteLine($"kernel suite: missing {binary}: publish first and install containernetworking-plugins");
                return true;
            }
        }

        if (!OperatingSystem.IsLinux() || Environment.UserName != "root")
        {
            Console.Error.WriteLine("kernel suite: FAIL: needs root on Linux (network namespaces)");
            return true;
        }

        var pid = Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        var node = "wkb" + pid + "-node";
        var nodePath = "/run/netns/" + node;
        var scratch = Directory.CreateTempSubdirectory("wcni-kbench-").FullName;
        var created = new HashSet<string>(StringComparer.Ordinal);
        var counter = 0;
        var loadBefore = File.ReadAllText("/proc/loadavg").Trim();
        Process? daemon = null;
        try
        {
            Native.Run("ip", "netns", "add", node);
            Native.Run("ip", "netns", "exec", node, "ip", "link", "set", "lo", "up");

            // The node's own address, on a link of the node's namespace: an L2Bridge node finds its host interface by it.
            Native.Run("ip", "-n", node, "link", "add", "eth0", "type", "veth", "peer", "name", "eth0peer");
            Native.Run("ip", "-n", node, "addr", "add", BenchNodeIp + "/24", "dev", "eth0");
            Native.Run("ip", "-n", node, "link", "set", "eth0", "up");
            var socket = Path.Combine(scratch, "wincnid.sock");
            var config = Path.Combine(scratch, "node.yaml");
            File.WriteAllText(config, string.Join('\n',
                "mode: l2bridge",
                "networkName: " + NetworkName,
                "clusterCIDRs: [10.244.0.0/16]",
                "serviceCIDRs: [10.96.0.0/12]",
                "podCIDRs: [10.244.16.0/20]",
                "nodeIP: " + BenchNodeIp,
                "stateDir: " + Path.Combine(scratch, "state"),
                "socket: " + socket,
                string.Empty));
            daemon = StartDaemon(wincnid, node, config, Path.Combine(scratch, "wincnid.log"));
            await WaitReadyAsync(wincnid, socket, daemon, Path.Combine(scratch, "wincnid.log")).ConfigureAwait(false);

            var wincniConfig = Encoding.UTF8.GetBytes($$"""{"cniVersion":"1.0.0","name":"{{NetworkName}}","type":"wincni","socket":"{{socket}}"}""");
            var referenceConfig = Encoding.UTF8.GetBytes(
                "{\"cniVersion\":\"1.0.0\",\"name\":\"kbenchref\",\"type\":\"bridge\",\"bridge\":\"refbr0\",\"isGateway\":true,\"ipMasq\":false,"
                + "\"ipam\":{\"type\":\"host-local\",\"ranges\":[[{\"subnet\":\"10.250.0.0/16\"}]],\"dataDir\":\"" + Path.Combine(scratch, "host-local")
                + "\",\"routes\":[{\"dst\":\"0.0.0.0/0\"}]}}");

            string NewPod()
            {
                var name = string.Create(CultureInfo.InvariantCulture, $"wkb{pid}-{Interlocked.Increment(ref counter)}");
                Native.Run("ip", "netns", "add", name);
                lock (created)
                {
                    created.Add(name);
                }

                return name;
            }

            void DropPod(string name)
            {
                Native.Run("ip", "netns", "del", name);
                lock (created)
                {
                    created.Remove(name);
                }
            }

            Dictionary<string, string> Env(string command, string pod, string cniPath) => new()
            {
                ["CNI_COMMAND"] = command,
                ["CNI_CONTAINERID"] = pod,
                ["CNI_NETNS"] = "/run/netns/" + pod,
                ["CNI_IFNAME"] = "eth0",
                ["CNI_PATH"] = cniPath,
            };

            (TimeSpan Add, TimeSpan Del) Cycle(string plugin, byte[] stdin, string cniPath)
            {
                var pod = NewPod();
                try
                {
                    var add = Time(nodePath, plugin, Env("ADD", pod, cniPath), stdin, out _);
                    var del = Time(nodePath, plugin, Env("DEL", pod, cniPath), stdin, out _);
                    return (add, del);
                }
                finally
                {
                    DropPod(pod);
                }
            }

            // ---- ADD and DEL latency on a fresh netns, interleaved
            var warmup = Math.Max(5, runs / 10);
            for (var i = 0; i < warmup; i++)
            {
                Cycle(bridge, referenceConfig, referenceDir);
                Cycle(wincni, wincniConfig, binDir);
            }

            var referenceAdd = new List<TimeSpan>(runs);
            var referenceDel = new List<TimeSpan>(runs);
            var wincniAdd = new List<TimeSpan>(runs);
            var wincniDel = new List<TimeSpan>(runs);
            for (var i = 0; i < runs; i++)
            {
                var r = Cycle(bridge, referenceConfig, referenceDir);
                referenceAdd.Add(r.Add);
                referenceDel.Add(r.Del);
                var w = Cycle(wincni, wincniConfig, binDir);
                wincniAdd.Add(w.Add);
                wincniDel.Add(w.Del);
            }

            // ---- N pods: reference sequential vs wincni all at once (namespaces made and removed untimed)
            var referencePods = Enumerable.Range(0, pods).Select(_ => NewPod()).ToList();
            var sequential = Stopwatch.StartNew();
            foreach (var pod in referencePods)
            {
                Time(nodePath, bridge, Env("ADD", pod, referenceDir), referenceConfig, out _);
            }

            sequential.Stop();
            foreach (var pod in referencePods)
            {
                Time(nodePath, bridge, Env("DEL", pod, referenceDir), referenceConfig, out _);
                DropPod(pod);
            }

            var wincniPods = Enumerable.Range(0, pods).Select(_ => NewPod()).ToList();
            var results = new string?[pods];
            var failures = 0;
            var parallel = Stopwatch.StartNew();
            // One thread per pod, all started together: the execs block, so pool threads (which grow slowly) would
            // quietly cap the parallelism at a few pods; a kubelet starting 100 sandboxes runs 100 CNI ADDs at once.
            var threads = Enumerable.Range(0, pods).Select(i => new Thread(() =>
            {
                try
                {
                    Time(nodePath, wincni, Env("ADD", wincniPods[i], binDir), wincniConfig, out var stdout);
                    using var json = JsonDocument.Parse(stdout);
                    results[i] = json.RootElement.GetProperty("ips")[0].GetProperty("address").GetString();
                }
                catch (Exception ex) when (ex is InvalidOperationException or JsonException or KeyNotFoundException)
                {
                    Interlocked.Increment(ref failures);
                    Console.Error.WriteLine($"kernel suite: parallel ADD {wincniPods[i]}: {ex.Message}");
                }
            })
            {
                IsBackground = true,
            }).ToList();
            threads.ForEach(t => t.Start());
            threads.ForEach(t => t.Join());
            parallel.Stop();
            var distinct = results.OfType<string>().Distinct(StringComparer.Ordinal).Count();
            foreach (var pod in wincniPods)
            {
                Time(nodePath, wincni, Env("DEL", pod, binDir), wincniConfig, out _);
                DropPod(pod);
            }

            // wincni's DEL answers once the veth is down and tagged; the kernel deletes it in the background. Check
            // that every retired veth is really gone, and how long after the last DEL.
            var drain = Stopwatch.StartNew();
            var retiredLeft = RetiredVeths(node);
            while (retiredLeft > 0 && drain.Elapsed < TimeSpan.FromSeconds(10))
            {
                Thread.Sleep(10);
                retiredLeft = RetiredVeths(node);
            }

            drain.Stop();

            // ---- report
            var loadAfter = File.ReadAllText("/proc/loadavg").Trim();
            var stats = new (string Name, Percentiles P)[]
            {
                ("bridge+host-local ADD (reference)", Percentiles.Of(referenceAdd)),
                ("wincni -> wincnid kernel ADD", Percentiles.Of(wincniAdd)),
                ("bridge+host-local DEL (reference)", Percentiles.Of(referenceDel)),
                ("wincni -> wincnid kernel DEL", Percentiles.Of(wincniDel)),
            };
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"kernel benchmark: {runs} interleaved fresh-netns ADD+DEL cycles per side after {warmup} warm-up rounds, {Environment.ProcessorCount} cores; every exec via nsenter --net into the bench node; load before {loadBefore}, after {loadAfter}"));
            Console.WriteLine("  DEL: the reference deletes the veth before it exits; wincnid sets it down, tags it and answers, and deletes it in the background (checked below)");
            Console.WriteLine($"{"case",-40} {"p50 ms",8} {"p95 ms",8} {"min ms",8}");
            foreach (var (name, p) in stats)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name,-40} {p.P50Ms,8:0.00} {p.P95Ms,8:0.00} {p.MinMs,8:0.00}"));
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{pods} pods: reference sequential ADDs {sequential.Elapsed.TotalMilliseconds:0} ms; wincni parallel ADDs {parallel.Elapsed.TotalMilliseconds:0} ms, {pods - failures}/{pods} succeeded, {distinct} distinct IPs"));

            var failed = false;
            var checks = new (string Name, double Value, double Limit)[]
            {
                ("ADD p50 wincni / reference", stats[1].P.P50Ms / stats[0].P.P50Ms, 1.0),
                ("DEL p50 wincni / reference", stats[3].P.P50Ms / stats[2].P.P50Ms, 1.0),
                ("parallel wincni / sequential reference", parallel.Elapsed / sequential.Elapsed, 1.0),
            };
            foreach (var check in checks)
            {
                var ok = check.Value <= check.Limit;
                failed |= !ok;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{check.Name,-40} {check.Value,6:0.00}x (target <= {check.Limit:0.0}x) {(ok ? "PASS" : "FAIL")}"));
            }

            var allOk = failures == 0 && distinct == pods;
            failed |= !allOk;
            Console.WriteLine($"{"parallel ADDs all succeed, distinct IPs",-40} {(allOk ? "PASS" : "FAIL")}");
            failed |= retiredLeft > 0;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{"retired veths deleted after the DELs",-40} {(retiredLeft == 0 ? "PASS" : "FAIL")} ({retiredLeft} left {drain.Elapsed.TotalMilliseconds:0} ms after the last DEL)"));
            return failed;
        }
        finally
        {
            if (daemon is not null)
            {
                if (!daemon.HasExited)
                {
                    daemon.Kill();
                    daemon.WaitForExit();
                }

                daemon.Dispose();
            }

            foreach (var pod in created.ToList())
            {
                Native.TryRun("ip", ["netns", "del", pod], out _);
            }

            Native.TryRun("ip", ["netns", "del", node], out _);
            Directory.Delete(scratch, recursive: true);
        }
    }

    /// <summary>Veths wincnid has retired (down, in its reaper's link group) and not yet deleted, in the bench node.</summary>
    private static int RetiredVeths(string node) =>
        Native.Run("ip", "-n", node, "-o", "link", "show", "group", RetiredLinkGroup)
            .Split('\n', StringSplitOptions.RemoveEmptyEntries).Length;

    /// <summary>Times one plugin exec inside the node namespace (nsenter --net), the way a runtime pays for it.</summary>
    private static TimeSpan Time(string netnsPath, string plugin, Dictionary<string, string> environment, byte[] stdin, out string stdout)
    {
        var startInfo = new ProcessStartInfo("nsenter")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        startInfo.ArgumentList.Add("--net=" + netnsPath);
        startInfo.ArgumentList.Add(plugin);
        startInfo.Environment.Clear();
        startInfo.Environment["PATH"] = "/usr/sbin:/usr/bin:/sbin:/bin";
        foreach (var (key, value) in environment)
        {
            startInfo.Environment[key] = value;
        }

        var stopwatch = Stopwatch.StartNew();
        using var process = Process.Start(startInfo) ?? throw new InvalidOperationException($"cannot start {plugin}");
        process.StandardInput.BaseStream.Write(stdin);
        process.StandardInput.Close();
        var stderrTask = process.StandardError.ReadToEndAsync();
        stdout = process.StandardOutput.ReadToEnd();
        var stderr = stderrTask.GetAwaiter().GetResult();
        process.WaitForExit();
        stopwatch.Stop();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{plugin} {environment["CNI_COMMAND"]} exited with {process.ExitCode}: {stdout} {stderr}");
        }

        return stopwatch.Elapsed;
    }

    private static Process StartDaemon(string wincnid, string node, string config, string logFile)
    {
        var startInfo = new ProcessStartInfo("ip")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "netns", "exec", node, wincnid, "run", "--config", config, "--dataplane", "kernel" })
        {
            startInfo.ArgumentList.Add(argument);
        }

        var log = new StreamWriter(logFile) { AutoFlush = true };
        var process = new Process { StartInfo = startInfo };
        process.OutputDataReceived += (_, e) => Append(log, e.Data);
        process.ErrorDataReceived += (_, e) => Append(log, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static void Append(StreamWriter log, string? line)
    {
        if (line is not null)
        {
            lock (log)
            {
                log.WriteLine(line);
            }
        }
    }

    private static async Task WaitReadyAsync(string wincnid, string socket, Process daemon, string logFile)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!Native.TryRun(wincnid, ["status", "--socket", socket], out _))
        {
            if (daemon.HasExited || DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException("kernel suite: wincnid did not become ready: " + File.ReadAllText(logFile));
            }

            await Task.Delay(200).ConfigureAwait(false);
        }
    }
}
