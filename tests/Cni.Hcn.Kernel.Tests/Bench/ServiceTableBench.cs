using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Cni.Hcn.Kernel.Nftables;
using Cni.Hcn.Kernel.Tests.Support;
using Cni.Hcn.Model;
using Cni.Hcn.Model.Policies;

namespace Cni.Hcn.Kernel.Tests.Bench;

/// <summary>
/// A measurement, not a test of timing (nothing is asserted about time): the issue-12 scale (10,000 services × 2 ports ×
/// 5 endpoints, and half of it) programmed into the services table of a throwaway namespace, then single-endpoint
/// changes, printing the initial sync time, the size of one change's transaction (lines, elements) and its p50/p99,
/// committed in-process through libnftables and, for comparison, through an nft process per transaction. Run explicitly:
/// <c>dotnet test tests/Cni.Hcn.Kernel.Tests -c Release --filter "FullyQualifiedName~ServiceTableBench" --logger "console;verbosity=detailed"</c>.
/// </summary>
[TestFixture]
[Category("Kernel")]
[Category("Bench")]
[Explicit("a measurement that takes tens of seconds")]
[NonParallelizable]
public sealed partial class ServiceTableBench
{
    private const int Services = 10_000;
    private const int EndpointsPerService = 5;
    private const int Changes = 200;
    private const int LocalPods = 110;
    private readonly HashSet<Guid> _local = [];
    private TestNetns _netns = null!;
    private NftRunner _nft = null!;

    [SetUp]
    public void SetUp()
    {
        KernelTestGuard.Require();
        _netns = new TestNetns();
        _netns.Create("bench");
        _local.Clear();
    }

    [TearDown]
    public void TearDown()
    {
        _nft?.Dispose();
        _netns?.Dispose();
    }

    [TestCase(Services / 2, true)]
    [TestCase(Services, true)]
    [TestCase(Services, false)]
    [CancelAfter(600_000)]
    public async Task SyncServiceTable_ThousandsOfServices_PrintsInitialAndOneEndpointChangeFigures(int services, bool inProcess, CancellationToken cancellationToken)
    {
        _nft = new NftRunner("nft", "nsenter", _netns.PathOf("bench"), inProcess ? "libnftables.so.1" : null);
        var addresses = new Dictionary<Guid, IPAddress>();
        var loadBalancers = new List<HostComputeLoadBalancer>(services * 2);
        for (var s = 0; s < services; s++)
        {
            // One load balancer per service port, as the service proxy makes them (kube-proxy's winkernel does the same).
            foreach (var (port, target) in new[] { (80, 8080), (443, 8443) })
            {
                var backends = Enumerable.Range(0, EndpointsPerService).Select(_ => NewBackend(addresses)).ToList();
                loadBalancers.Add(new HostComputeLoadBalancer
                {
                    Id = Guid.NewGuid(),
                    HostComputeEndpoints = backends,
                    FrontendVips = [Invariant($"10.96.{s / 250}.{(s % 250) + 1}")],
                    PortMappings = [new LoadBalancerPortMapping { Protocol = ProtocolType.Tcp, ExternalPort = (ushort)port, InternalPort = (ushort)target }],
                });
            }
        }

        var sync = new ServiceTableSync();
        var render = Stopwatch.StartNew();
        var desired = loadBalancers.ToDictionary(l => l.Id, l => ServiceRenderer.Render(l, id => addresses.GetValueOrDefault(id), IsLocal)!);
        render.Stop();
        var plan = sync.Plan(desired);
        var initialPlan = plan;
        var initial = Stopwatch.StartNew();
        await _nft.ApplyAsync(plan.Text, cancellationToken);
        initial.Stop();
        sync.Accept(plan);

        var times = new List<double>(Changes);
        var planning = new List<double>(Changes);
        var lines = new List<int>(Changes);
        var elements = new List<int>(Changes);
        for (var c = 0; c < Changes; c++)
        {
            // One endpoint of one service replaced by another (a pod rescheduled), as an EndpointSlice update brings it.
            var index = Random.Shared.Next(loadBalancers.Count);
            var lb = loadBalancers[index];
            var backends = lb.HostComputeEndpoints!.ToList();
            backends[Random.Shared.Next(backends.Count)] = NewBackend(addresses);
            lb = lb with { HostComputeEndpoints = backends };
            loadBalancers[index] = lb;

            // What KernelHcn does for one ModifyLoadBalancer: render that load balancer, plan against the mirror, commit.
            var watch = Stopwatch.StartNew();
            plan = sync.PlanChanges(new Dictionary<Guid, LoadBalancerRendering?> { [lb.Id] = ServiceRenderer.Render(lb, id => addresses.GetValueOrDefault(id), IsLocal) });
            var planned = watch.Elapsed.TotalMilliseconds;
            await _nft.ApplyAsync(plan.Text, cancellationToken);
            sync.Accept(plan);
            times.Add(watch.Elapsed.TotalMilliseconds);
            planning.Add(planned);
            lines.Add(plan.Text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
            elements.Add(plan.Elements);
        }

        var rerender = Stopwatch.StartNew();
        _ = loadBalancers.ToDictionary(l => l.Id, l => ServiceRenderer.Render(l, id => addresses.GetValueOrDefault(id), IsLocal)!);
        rerender.Stop();
        var first = times[0];
        times.Sort();
        planning.Sort();
        var listing = await _nft.RunAsync($"list map ip {ServiceRenderer.Table} {new BackendGroup(false, false, EndpointsPerService).Map}", null, cancellationToken);
        var backendElements = BackendElement().Count(listing);
        var how = inProcess ? "in-process (libnftables)" : "nft process per transaction";
        TestContext.Out.WriteLine(Invariant($"services {services} x 2 ports x {EndpointsPerService} endpoints = {loadBalancers.Count} load balancers, {backendElements} backend elements, {how}; last change transaction ({plan.Text.Length} characters):\n{plan.Text}"));
        TestContext.Out.WriteLine(Invariant($"initial {loadBalancers.Count} LBs: render {render.Elapsed.TotalMilliseconds:0} ms, commit {initial.Elapsed.TotalMilliseconds:0} ms ({initialPlan.Text.Length / 1024} KiB, {initialPlan.Elements} elements)"));
        TestContext.Out.WriteLine(Invariant($"one endpoint change x {Changes}: transaction {lines.Min()}-{lines.Max()} lines, {elements.Min()}-{elements.Max()} elements; p50 {Percentile(times, 50):0.00} ms, p99 {Percentile(times, 99):0.00} ms, max {times[^1]:0.00} ms (first after the initial load {first:0.00} ms; planning alone p50 {Percentile(planning, 50):0.00} ms, p99 {Percentile(planning, 99):0.00} ms)"));
        TestContext.Out.WriteLine(Invariant($"re-rendering all {loadBalancers.Count} load balancers in C# (what a KernelHcn commit after an endpoint change does): {rerender.Elapsed.TotalMilliseconds:0.0} ms"));
        Assert.That(backendElements, Is.EqualTo(services * 2 * EndpointsPerService));
    }

    [Test]
    [CancelAfter(600_000)]
    public async Task EnumerateForSync_TenThousandServices_PrintsWhatEachKernelHcnCommitReads(CancellationToken cancellationToken)
    {
        // What SyncNftablesAsync reads from the object layer on every commit, at the same scale (no kernel involved).
        var hcn = new Cni.Hcn.Memory.MemoryHcn(new Cni.Hcn.Memory.MemoryHcnOptions { AcceptLoadBalancersWithoutBackends = true });
        var network = await hcn.CreateNetworkAsync(new HostComputeNetwork
        {
            Name = "bench",
            Type = NetworkType.L2Bridge,
            Ipams = [new Ipam { Subnets = [new Subnet { IpAddressPrefix = "10.128.0.0/9" }] }],
        }, cancellationToken);
        var next = 0;
        for (var s = 0; s < Services * 2; s++)
        {
            var backends = new List<Guid>();
            for (var e = 0; e < EndpointsPerService; e++, next++)
            {
                var endpoint = await hcn.CreateEndpointAsync(network.Id, new HostComputeEndpoint
                {
                    Name = Invariant($"ep{next}"),
                    IpConfigurations = [new IpConfig { IpAddress = Invariant($"10.{129 + (next / 51_200)}.{next / 200 % 256}.{(next % 200) + 2}") }],
                    Flags = EndpointFlags.RemoteEndpoint,
                }, cancellationToken);
                backends.Add(endpoint.Id);
            }

            await hcn.CreateLoadBalancerAsync(new HostComputeLoadBalancer
            {
                HostComputeEndpoints = backends,
                FrontendVips = [Invariant($"10.96.{s / 500}.{(s / 2 % 250) + 1}")],
                PortMappings = [new LoadBalancerPortMapping { Protocol = ProtocolType.Tcp, ExternalPort = (ushort)(80 + (s % 2)), InternalPort = 8080 }],
            }, cancellationToken);
        }

        var watch = Stopwatch.StartNew();
        var endpoints = await hcn.EnumerateEndpointsAsync(null, cancellationToken);
        var endpointsMs = watch.Elapsed.TotalMilliseconds;
        watch.Restart();
        var loadBalancers = await hcn.EnumerateLoadBalancersAsync(null, cancellationToken);
        var loadBalancersMs = watch.Elapsed.TotalMilliseconds;
        TestContext.Out.WriteLine(Invariant($"per commit: enumerate {endpoints.Count} endpoints {endpointsMs:0} ms, {loadBalancers.Count} load balancers {loadBalancersMs:0} ms"));
        Assert.That(loadBalancers, Has.Count.EqualTo(Services * 2));
    }

    [Test]
    [CancelAfter(1_800_000)]
    public async Task KernelHcn_TwentyThousandLoadBalancersInParallel_PrintsProgrammingAndModifyFigures(CancellationToken cancellationToken)
    {
        // Through the IHcn calls a service proxy makes: 64 in flight at a time, backends drawn from 200 remote
        // endpoints (the endpoint path is not what is measured here), then single-backend modifies one at a time.
        var state = Directory.CreateTempSubdirectory("wincni-kernel-bench-").FullName;
        try
        {
            using var hcn = new KernelHcn(new KernelHcnOptions { StateDirectory = state, HostNetnsPath = _netns.PathOf("bench"), NetnsNamePrefix = _netns.Prefix + "k-" });
            var network = await hcn.CreateNetworkAsync(new HostComputeNetwork
            {
                Name = "bench",
                Type = NetworkType.L2Bridge,
                Ipams = [new Ipam { Subnets = [new Subnet { IpAddressPrefix = "10.128.0.0/16" }] }],
            }, cancellationToken);
            var pool = new List<Guid>();
            for (var e = 0; e < 200; e++)
            {
                pool.Add((await hcn.CreateEndpointAsync(network.Id, new HostComputeEndpoint
                {
                    Name = Invariant($"remote{e}"),
                    IpConfigurations = [new IpConfig { IpAddress = Invariant($"10.128.{e / 200 + 1}.{(e % 200) + 2}") }],
                    Flags = EndpointFlags.RemoteEndpoint,
                }, cancellationToken)).Id);
            }

            var batches = hcn.NftBatches;
            var ids = new Guid[Services * 2];
            var watch = Stopwatch.StartNew();
            await Parallel.ForEachAsync(Enumerable.Range(0, Services * 2), new ParallelOptions { MaxDegreeOfParallelism = 64, CancellationToken = cancellationToken }, async (i, ct) =>
            {
                var s = i / 2;
                ids[i] = (await hcn.CreateLoadBalancerAsync(new HostComputeLoadBalancer
                {
                    HostComputeEndpoints = Enumerable.Range(0, EndpointsPerService).Select(k => pool[(i + (k * 37)) % pool.Count]).ToList(),
                    FrontendVips = [Invariant($"10.96.{s / 250}.{(s % 250) + 1}")],
                    PortMappings = [new LoadBalancerPortMapping { Protocol = ProtocolType.Tcp, ExternalPort = (ushort)(i % 2 == 0 ? 80 : 443), InternalPort = 8080 }],
                }, ct)).Id;
            });
            var programming = watch.Elapsed;
            var programmingBatches = hcn.NftBatches - batches;

            var times = new List<double>();
            for (var c = 0; c < Changes; c++)
            {
                var id = ids[Random.Shared.Next(ids.Length)];
                var lb = await hcn.GetLoadBalancerAsync(id, cancellationToken);
                var backends = lb.HostComputeEndpoints!.ToList();
                backends[0] = pool.First(p => !backends.Contains(p));
                watch.Restart();
                await hcn.ModifyLoadBalancerAsync(id, lb with { HostComputeEndpoints = backends }, cancellationToken);
                times.Add(watch.Elapsed.TotalMilliseconds);
            }

            times.Sort();
            TestContext.Out.WriteLine(Invariant($"KernelHcn: {ids.Length} CreateLoadBalancer calls, 64 in flight: {programming.TotalSeconds:0.0} s in {programmingBatches} nft transactions"));
            TestContext.Out.WriteLine(Invariant($"KernelHcn: ModifyLoadBalancer (one backend) x {Changes}: p50 {Percentile(times, 50):0.0} ms, p99 {Percentile(times, 99):0.0} ms"));
            watch.Restart();
            await Parallel.ForEachAsync(ids, new ParallelOptions { MaxDegreeOfParallelism = 64, CancellationToken = cancellationToken },
                async (id, ct) => await hcn.DeleteLoadBalancerAsync(id, ct));
            TestContext.Out.WriteLine(Invariant($"KernelHcn: {ids.Length} DeleteLoadBalancer calls, 64 in flight: {watch.Elapsed.TotalSeconds:0.0} s"));

            Assert.That(_netns.Nft("bench", "list tables"), Does.Not.Contain(ServiceRenderer.Table));
        }
        finally
        {
            Directory.Delete(state, recursive: true);
        }
    }

    /// <summary>A node runs about 110 pods: the first backends made are on this node, all others remote.</summary>
    private bool IsLocal(Guid backend) => _local.Contains(backend);

    private Guid NewBackend(Dictionary<Guid, IPAddress> addresses)
    {
        var id = Guid.NewGuid();
        var n = addresses.Count;
        if (n < LocalPods)
        {
            _local.Add(id);
        }

        addresses[id] = new IPAddress([10, (byte)(128 + (n >> 16)), (byte)(n >> 8), (byte)n]);
        return id;
    }

    [GeneratedRegex(@" : \d+\.\d+\.\d+\.\d+ \. \d+")]
    private static partial Regex BackendElement();

    private static double Percentile(List<double> sorted, int percent) => sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(sorted.Count * percent / 100.0) - 1)];

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
