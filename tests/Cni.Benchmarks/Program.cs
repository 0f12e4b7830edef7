using System.Globalization;
using System.Text;
using Cni.Benchmarks;
using Cni.Benchmarks.Services;

// `Makefile.ps1 bench`: exec-level timings of the published wincni against Debian's reference `bridge` plugin,
// measured in one run on one machine, interleaved so drift and noise hit both sides alike. Suites:
//   exec    the plugin's own cost (VERSION, ADD against a fixed-result daemon) vs bridge VERSION
//   daemon  a real ADD through wincnid's memory dataplane vs bridge + host-local ADD into a fresh netns (DaemonBench)
//   services  the service proxy at 10,000 Services (`--services`) through the real controller into MemoryHcn, without and
//             with a modelled HCN latency (`--service-latencies-ms 0,10`), beside winkernel's operation count (ServiceBench)
// `--suite exec|daemon|services|all` (default all). `--suite kernel` (explicit only): ADD/DEL through wincnid's kernel dataplane vs
// bridge + host-local, and `--kernel-pods` (100) parallel ADDs vs the reference's sequential time (KernelBench).
// `--suite services-kernel` (explicit only, root): the same Services into a real KernelHcn in a throwaway netns (ServiceKernelBench).
var binDir = Argument("--bin-dir") ?? Path.Combine(Directory.GetCurrentDirectory(), "artifacts", "bin");
var referenceDir = Argument("--reference-dir") ?? "/usr/lib/cni";
var suite = Argument("--suite") ?? "all";
var runs = int.Parse(Argument("--runs") ?? "400", CultureInfo.InvariantCulture);
var daemonRuns = int.Parse(Argument("--daemon-runs") ?? "100", CultureInfo.InvariantCulture);
var daemonPods = int.Parse(Argument("--daemon-pods") ?? "200", CultureInfo.InvariantCulture);
var daemonParallelism = int.Parse(Argument("--daemon-parallelism") ?? "16", CultureInfo.InvariantCulture);
var warmup = Math.Max(10, runs / 20);
var services = int.Parse(Argument("--services") ?? "10000", CultureInfo.InvariantCulture);
var serviceChanges = int.Parse(Argument("--service-changes") ?? "200", CultureInfo.InvariantCulture);
var serviceMinSync = TimeSpan.FromMilliseconds(int.Parse(Argument("--service-min-sync-ms") ?? "100", CultureInfo.InvariantCulture));
var serviceLatencies = (Argument("--service-latencies-ms") ?? "0,10").Split(',').Select(ms => TimeSpan.FromMilliseconds(int.Parse(ms, CultureInfo.InvariantCulture))).ToList();
var failed = false;

if (suite == "kernel")
{
    var kernelRuns = int.Parse(Argument("--kernel-runs") ?? "100", CultureInfo.InvariantCulture);
    var kernelPods = int.Parse(Argument("--kernel-pods") ?? "100", CultureInfo.InvariantCulture);
    return await KernelBench.RunAsync(binDir, referenceDir, kernelRuns, kernelPods) ? 1 : 0;
}

if (suite == "services-kernel")
{
    // wincnid's default on the kernel dataplane unless asked otherwise.
    int? kernelParallel = Argument("--service-kernel-parallel") is { } parallel ? int.Parse(parallel, CultureInfo.InvariantCulture) : null;
    return await ServiceKernelBench.RunAsync(services, serviceChanges, serviceMinSync, kernelParallel) ? 1 : 0;
}

if (suite is "all" or "services")
{
    failed |= await ServiceBench.RunAsync(services, serviceChanges, serviceMinSync, serviceLatencies);
}

if (suite is "all" or "daemon")
{
    failed |= await DaemonBench.RunAsync(binDir, referenceDir, daemonRuns, daemonPods, daemonParallelism);
}

if (suite is not ("all" or "exec"))
{
    return failed ? 1 : 0;
}

var wincni = Path.Combine(binDir, OperatingSystem.IsWindows() ? "wincni.exe" : "wincni");
var bridge = Path.Combine(referenceDir, "bridge");
foreach (var binary in new[] { wincni, bridge })
{
    if (!File.Exists(binary))
    {
        Console.Error.WriteLine($"missing {binary}: publish wincni first and install containernetworking-plugins");
        return 2;
    }
}

await using var daemon = await FixedResultDaemon.StartAsync();
var versionEnv = new Dictionary<string, string> { ["CNI_COMMAND"] = "VERSION" };
var versionStdin = "{\"cniVersion\":\"1.1.0\"}"u8.ToArray();
var netnsFile = Path.Combine(Path.GetTempPath(), "wincni-bench-netns");
File.WriteAllText(netnsFile, "");
var addEnv = new Dictionary<string, string>
{
    ["CNI_COMMAND"] = "ADD",
    ["CNI_CONTAINERID"] = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
    ["CNI_NETNS"] = netnsFile,
    ["CNI_IFNAME"] = "eth0",
    ["CNI_PATH"] = "/opt/cni/bin",
    ["CNI_ARGS"] = "IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME=web-0;K8S_POD_INFRA_CONTAINER_ID=0123456789abcdef;K8S_POD_UID=7d0c7f7e-1b5e-4a53-9a3c-52c3f1f2a0d1",
};
var addStdin = Encoding.UTF8.GetBytes(
    "{\"cniVersion\":\"1.1.0\",\"name\":\"wincni\",\"type\":\"wincni\",\"socket\":\"" + daemon.SocketPath + "\","
    + "\"capabilities\":{\"portMappings\":true,\"dns\":true},\"runtimeConfig\":{\"dns\":{\"Servers\":[\"10.96.0.10\"],\"Searches\":[\"default.svc.cluster.local\"],\"Options\":[\"ndots:5\"]}}}");

var cases = new (string Name, Func<TimeSpan> Run)[]
{
    ("bridge VERSION (reference)", () => ExecTimer.Run(bridge, versionEnv, versionStdin)),
    ("wincni VERSION", () => ExecTimer.Run(wincni, versionEnv, versionStdin)),
    ("wincni ADD via socket (fixed-result daemon)", () => ExecTimer.Run(wincni, addEnv, addStdin)),
};

var samples = cases.Select(_ => new List<TimeSpan>(runs)).ToArray();
for (var i = 0; i < warmup; i++)
{
    foreach (var c in cases)
    {
        c.Run();
    }
}

for (var i = 0; i < runs; i++)
{
    for (var c = 0; c < cases.Length; c++)
    {
        samples[c].Add(cases[c].Run());
    }
}

File.Delete(netnsFile);
var stats = samples.Select(Percentiles.Of).ToArray();
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"exec benchmark: {runs} interleaved runs per case after {warmup} warm-up rounds, {Environment.ProcessorCount} cores"));
Console.WriteLine($"{"case",-46} {"p50 ms",8} {"p95 ms",8} {"min ms",8}");
for (var c = 0; c < cases.Length; c++)
{
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{cases[c].Name,-46} {stats[c].P50Ms,8:0.00} {stats[c].P95Ms,8:0.00} {stats[c].MinMs,8:0.00}"));
}

var baseline = stats[0].P50Ms;
var checks = new (string Name, double Ratio, double Limit)[]
{
    ("wincni VERSION p50 / bridge VERSION p50", stats[1].P50Ms / baseline, 1.0),
    ("wincni ADD p50 / bridge VERSION p50", stats[2].P50Ms / baseline, 2.0),
};
foreach (var check in checks)
{
    var ok = check.Ratio <= check.Limit;
    failed |= !ok;
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{check.Name,-46} {check.Ratio,6:0.00}x (target <= {check.Limit:0.0}x) {(ok ? "PASS" : "FAIL")}"));
}

return failed ? 1 : 0;

string? Argument(string name)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
}
