using System.Diagnostics;
using System.Globalization;
using System.Net;
using Cni.Hcn.Kernel.Nftables;
using Cni.Hcn.Kernel.Tests.Support;
using Cni.Hcn.Model;
using Cni.Hcn.Model.Policies;

namespace Cni.Hcn.Kernel.Tests.Bench;

/// <summary>
/// A measurement, not a test of timing: what the drift check costs with 20,000 load balancers × 5 backends in the
/// services table of a throwaway namespace: one generation read (every check, and after every commit), and one
/// verification (the counted shape from the mirror and from the kernel), next to <c>nft list table</c> for comparison.
/// Run explicitly: <c>dotnet test tests/Cni.Hcn.Kernel.Tests -c Release --filter "FullyQualifiedName~DriftCheckBench" --logger "console;verbosity=detailed"</c>.
/// </summary>
[TestFixture]
[Category("Kernel")]
[Category("Bench")]
[Explicit("a measurement that takes tens of seconds")]
[NonParallelizable]
public sealed class DriftCheckBench
{
    private TestNetns _netns = null!;

    [SetUp]
    public void SetUp()
    {
        KernelTestGuard.Require();
        _netns = new TestNetns();
        _netns.Create("drift");
    }

    [TearDown]
    public void TearDown() => _netns?.Dispose();

    [Test]
    [CancelAfter(600_000)]
    public async Task DriftCheck_TwentyThousandLoadBalancers_PrintsGenerationReadAndVerificationCost(CancellationToken cancellationToken)
    {
        using var nft = new NftRunner("nft", "nsenter", _netns.PathOf("drift"), "libnftables.so.1");
        using var monitor = new NftDriftMonitor(_netns.PathOf("drift"));
        var desired = new Dictionary<Guid, LoadBalancerRendering>();
        var next = 0;
        for (var s = 0; s < 10_000; s++)
        {
            foreach (var port in new ushort[] { 80, 443 })
            {
                var backends = Enumerable.Range(0, 5).Select(_ => (Id: Guid.NewGuid(), Address: new IPAddress([10, (byte)(100 + (next / 65536)), (byte)(next / 256 % 256), (byte)(next++ % 256)]))).ToList();
                var lb = new HostComputeLoadBalancer
                {
                    Id = Guid.NewGuid(),
                    HostComputeEndpoints = backends.Select(b => b.Id).ToList(),
                    FrontendVips = [string.Create(CultureInfo.InvariantCulture, $"10.96.{s / 250}.{(s % 250) + 1}")],
                    PortMappings = [new LoadBalancerPortMapping { Protocol = ProtocolType.Tcp, ExternalPort = port, InternalPort = 8080 }],
                };
                desired[lb.Id] = ServiceRenderer.Render(lb, id => backends.First(b => b.Id == id).Address, _ => false)!;
            }
        }

        var sync = new ServiceTableSync();
        var plan = sync.Plan(desired);
        await nft.ApplyAsync(plan.Text, cancellationToken);
        sync.Accept(plan);

        _ = monitor.Read();
        var reads = Stopwatch.StartNew();
        for (var i = 0; i < 1000; i++)
        {
            _ = monitor.Read();
        }

        reads.Stop();
        var mirror = Stopwatch.StartNew();
        var expected = sync.ExpectedShape()!;
        mirror.Stop();
        var kernel = Stopwatch.StartNew();
        var actual = monitor.ReadShape(ServiceRenderer.Table)!;
        kernel.Stop();
        var listing = Stopwatch.StartNew();
        _ = await nft.RunAsync($"list table ip {ServiceRenderer.Table}", null, cancellationToken);
        listing.Stop();

        TestContext.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{desired.Count} LBs, {actual.Elements.Values.Sum()} elements: generation read {reads.Elapsed.TotalMilliseconds / 1000 * 1000:0.0} µs; verification: expected shape from the mirror {mirror.Elapsed.TotalMilliseconds:0.0} ms, kernel shape over netlink {kernel.Elapsed.TotalMilliseconds:0.0} ms; nft list table {listing.Elapsed.TotalMilliseconds:0} ms"));
        Assert.That(expected.Differences(actual), Is.Empty);
    }
}
