using Cni.Hcn.Kernel.Naming;
using Cni.Hcn.Kernel.Tests.Support;
using Cni.Hcn.Model;
using Cni.Hcn.Model.Policies;

namespace Cni.Hcn.Kernel.Tests.Packets;

/// <summary>
/// wincni's nftables tables changed out of band in the node's namespace (as an operator or another program would)
/// come back through the background drift check within its interval, and a packet through the VIP works again;
/// other programs' tables bumping the generation cause a count of wincni's tables, never a rewrite.
/// </summary>
[TestFixture]
[Category("Kernel")]
[NonParallelizable]
public sealed class NftablesDriftTests
{
    private const int EchoPort = 8080;
    private const string Vip = "10.96.0.70";
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);
    private TwoNodeDataplane _dp = null!;
    private string _client = null!;
    private string _networkTable = null!;

    [OneTimeSetUp]
    public async Task BuildAsync()
    {
        KernelTestGuard.Require();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var ct = timeout.Token;
        _dp = new TwoNodeDataplane { DriftCheckInterval = Interval };
        await _dp.BuildAsync(ct);
        var nat = EndpointPolicy.Create(new OutboundNatPolicySetting { Exceptions = ["10.201.0.0/16"] });
        var (backend, backendEndpoint) = await _dp.AddPodAsync(_dp.Node1, _dp.Overlay1, "d1a", "10.201.1.10", ct, nat);
        (_client, _) = await _dp.AddPodAsync(_dp.Node1, _dp.Overlay1, "d1b", "10.201.1.11", ct, nat);
        _dp.Serve(backend, "d1a", EchoPort);
        _dp.Serve(_dp.Netns.PathOf("ul"), "outside", 9000);
        await _dp.Node1.CreateLoadBalancerAsync(new HostComputeLoadBalancer
        {
            HostComputeEndpoints = [backendEndpoint.Id],
            FrontendVips = [Vip],
            PortMappings = [new LoadBalancerPortMapping { Protocol = ProtocolType.Tcp, ExternalPort = 80, InternalPort = EchoPort }],
        }, ct);
        _networkTable = DeviceNames.NetworkTable(_dp.Overlay1.Name!);
    }

    [OneTimeTearDown]
    public async Task TearDownAsync()
    {
        if (_dp is not null)
        {
            await _dp.DisposeAsync();
        }
    }

    [Test]
    [CancelAfter(30_000)]
    public async Task DriftCheck_OneLoadBalancersElementsDeletedOutOfBand_BackWithinTheIntervalAndVipAnswers(CancellationToken cancellationToken)
    {
        Assert.That(Traffic.Tcp(_client, Vip, 80), Does.StartWith("d1a "));
        var repairs = _dp.Node1.NftablesDriftRepairs;

        _dp.Netns.Nft("node1", $"delete element ip {DeviceNames.ServicesTable} vips_rr_1 {{ {Vip} . tcp . 80 . 0 }}");
        var broken = Traffic.Tcp(_client, Vip, 80);

        // The check runs every second and repairs in milliseconds, so it may already have run between the delete and
        // the probe (seen once in a full run): then the probe is answered, and the repair is already counted.
        var repairedBeforeProbeEnded = _dp.Node1.NftablesDriftRepairs > repairs;
        var back = await WaitUntilAsync(() => Map("vips_rr_1").Contains(Vip), cancellationToken);

        Assert.That(broken is null || repairedBeforeProbeEnded, Is.True, $"the deletion did break the VIP (probe answered: {broken})");
        Assert.That(back, Is.True, "the element is back within the check interval");
        Assert.That(Traffic.Tcp(_client, Vip, 80), Does.StartWith("d1a "));
        Assert.That(_dp.Node1.NftablesDriftRepairs, Is.EqualTo(repairs + 1));
    }

    [Test]
    [CancelAfter(30_000)]
    public async Task DriftCheck_ServicesTableDeletedOutOfBand_BackWithinTheIntervalAndVipAnswers(CancellationToken cancellationToken)
    {
        var repairs = _dp.Node1.NftablesDriftRepairs;

        _dp.Netns.Nft("node1", $"delete table ip {DeviceNames.ServicesTable}");
        var back = await WaitUntilAsync(() => _dp.Netns.Nft("node1", "list tables").Contains(DeviceNames.ServicesTable, StringComparison.Ordinal), cancellationToken);

        Assert.That(back, Is.True);
        Assert.That(Map("vips_rr_1"), Does.Contain(Vip));
        Assert.That(Traffic.Tcp(_client, Vip, 80), Does.StartWith("d1a "));
        Assert.That(_dp.Node1.NftablesDriftRepairs, Is.EqualTo(repairs + 1));
    }

    [Test]
    [CancelAfter(30_000)]
    public async Task DriftCheck_AnotherProgramsTableCreatedAndChanged_CountedButNothingRewritten(CancellationToken cancellationToken)
    {
        // Settle first: the previous test's repair is known intact once a check after it found nothing.
        await WaitUntilAsync(() => false, cancellationToken, TimeSpan.FromTicks(Interval.Ticks * 2));
        var repairs = _dp.Node1.NftablesDriftRepairs;
        var batches = _dp.Node1.NftBatches;
        var verifications = _dp.Node1.NftablesDriftVerifications;

        _dp.Netns.Nft("node1", "add table ip someone_else");
        _dp.Netns.Nft("node1", "add chain ip someone_else input { type filter hook input priority 0; policy accept; }");
        _dp.Netns.Nft("node1", "add set ip someone_else blocked { type ipv4_addr; }");
        _dp.Netns.Nft("node1", "add element ip someone_else blocked { 192.0.2.1 }");
        var counted = await WaitUntilAsync(() => _dp.Node1.NftablesDriftVerifications > verifications, cancellationToken);
        _dp.Netns.Nft("node1", "add rule ip someone_else input ip saddr @blocked drop");
        var countedAgain = await WaitUntilAsync(() => _dp.Node1.NftablesDriftVerifications > verifications + 1, cancellationToken);

        Assert.That(counted && countedAgain, Is.True, "the moved generation was noticed");
        Assert.That(_dp.Node1.NftablesDriftRepairs, Is.EqualTo(repairs));
        Assert.That(_dp.Node1.NftBatches, Is.EqualTo(batches), "no table was rewritten");
        Assert.That(Traffic.Tcp(_client, Vip, 80), Does.StartWith("d1a "));
        _dp.Netns.Nft("node1", "delete table ip someone_else");
    }

    [Test]
    [CancelAfter(30_000)]
    public async Task DriftCheck_NetworkTablesMasqueradeRuleDeletedOutOfBand_BackWithinTheInterval(CancellationToken cancellationToken)
    {
        var repairs = _dp.Node1.NftablesDriftRepairs;
        var before = _dp.Netns.Nft("node1", $"list chain ip {_networkTable} postrouting");
        var listing = _dp.Netns.Nft("node1", $"-a list chain ip {_networkTable} postrouting");
        var handle = listing.Split('\n').Where(l => l.Contains("masquerade", StringComparison.Ordinal))
            .Select(l => l[(l.LastIndexOf("# handle ", StringComparison.Ordinal) + "# handle ".Length)..].Trim()).First();

        _dp.Netns.Nft("node1", $"delete rule ip {_networkTable} postrouting handle {handle}");
        var gone = _dp.Netns.Nft("node1", $"list chain ip {_networkTable} postrouting");
        var back = await WaitUntilAsync(() => _dp.Netns.Nft("node1", $"list chain ip {_networkTable} postrouting") == before, cancellationToken);

        Assert.That(gone, Is.Not.EqualTo(before));
        Assert.That(back, Is.True, "the masquerade rule is back within the check interval");
        Assert.That(Traffic.Tcp(_client, TwoNodeDataplane.Outside, 9000), Is.EqualTo("outside 192.168.200.1"), "pod egress masqueraded again");
        Assert.That(_dp.Node1.NftablesDriftRepairs, Is.EqualTo(repairs + 1));
    }

    private string Map(string name) => _dp.Netns.Nft("node1", $"list map ip {DeviceNames.ServicesTable} {name}");

    /// <summary>Polls until <paramref name="condition"/> holds, for at most three check intervals (or <paramref name="limit"/>).</summary>
    private static async Task<bool> WaitUntilAsync(Func<bool> condition, CancellationToken cancellationToken, TimeSpan? limit = null)
    {
        var deadline = DateTime.UtcNow + (limit ?? TimeSpan.FromTicks(Interval.Ticks * 3));
        while (DateTime.UtcNow < deadline)
        {
            if (condition())
            {
                return true;
            }

            await Task.Delay(100, cancellationToken);
        }

        return condition();
    }
}
