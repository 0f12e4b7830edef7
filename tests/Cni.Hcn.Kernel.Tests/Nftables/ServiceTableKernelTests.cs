using Cni.Hcn.Kernel.Nftables;
using Cni.Hcn.Kernel.Tests.Support;
using Cni.Hcn.Model;

namespace Cni.Hcn.Kernel.Tests.Nftables;

/// <summary>
/// The services table's transactions committed to a real kernel (in-process libnftables, a throwaway namespace):
/// every transition the incremental sync plans must be accepted, and the table must end as a full render would make it.
/// </summary>
[TestFixture]
[Category("Kernel")]
[NonParallelizable]
public sealed class ServiceTableKernelTests
{
    private static readonly Guid First = Guid.Parse("10000000-0000-0000-0000-000000000001");
    private static readonly Guid Second = Guid.Parse("10000000-0000-0000-0000-000000000002");
    private static readonly Guid Third = Guid.Parse("10000000-0000-0000-0000-000000000003");
    private static readonly Guid BackendA = Guid.Parse("00000000-0000-0000-0000-00000000000a");
    private static readonly Guid BackendB = Guid.Parse("00000000-0000-0000-0000-00000000000b");
    private static readonly Guid BackendC = Guid.Parse("00000000-0000-0000-0000-00000000000c");
    private readonly Dictionary<Guid, LoadBalancerRendering> _applied = [];

    /// <summary>Plans applied over netlink (element changes only) by <see cref="ApplyAsync"/>.</summary>
    private int NetlinkBatches { get; set; }
    private TestNetns _netns = null!;
    private NftRunner _nft = null!;
    private ServiceTableSync _sync = null!;

    [SetUp]
    public void SetUp()
    {
        KernelTestGuard.Require();
        _netns = new TestNetns();
        _nft = new NftRunner("nft", "nsenter", _netns.Create("svc"), "libnftables.so.1");
        _sync = new ServiceTableSync();
        _sync.Invalidate(tableExists: false);
        _applied.Clear();
        NetlinkBatches = 0;
    }

    [TearDown]
    public void TearDown()
    {
        _nft?.Dispose();
        _netns?.Dispose();
    }

    [Test]
    [CancelAfter(30_000)]
    public async Task PlanChanges_LoadBalancerMovesBetweenGroups_KernelAcceptsAndMatchesFullRender(CancellationToken cancellationToken)
    {
        await ApplyAsync(new() { [First] = Lb(First, "10.96.0.1"), [Second] = Lb(Second, "10.96.0.2") }, cancellationToken);

        await ApplyAsync(new() { [Second] = Lb(Second, "10.96.0.2", BackendA, BackendB, BackendC) }, cancellationToken);
        await ApplyAsync(new() { [First] = Lb(First, "10.96.0.1", BackendC) }, cancellationToken);

        var maps = Maps();
        Assert.That(maps, Is.EquivalentTo(new[] { "vips_rr_1", "vips_rr_3" }), "the emptied group of two is gone");
        Assert.That(Chain("vips"), Does.Contain("jump vips_rr_1").And.Contain("jump vips_rr_3").And.Not.Contain("vips_rr_2"));
        await AssertMatchesFullRenderAsync(cancellationToken);
    }

    [Test]
    [CancelAfter(30_000)]
    public async Task PlanChanges_OneThenNoThenThreeBackends_RejectSetInBetweenKernelAccepts(CancellationToken cancellationToken)
    {
        await ApplyAsync(new() { [First] = Lb(First, "10.96.0.1", BackendA) }, cancellationToken);

        await ApplyAsync(new() { [First] = Lb(First, "10.96.0.1") with { HostComputeEndpoints = [] } }, cancellationToken);
        var rejecting = _netns.Nft("svc", "list set ip wincni_services reject_vips");
        var mapsWhileRejecting = Maps();
        await ApplyAsync(new() { [First] = Lb(First, "10.96.0.1", BackendA, BackendB, BackendC) }, cancellationToken);

        Assert.That(rejecting, Does.Contain("10.96.0.1 . tcp . 80"));
        Assert.That(mapsWhileRejecting, Is.Empty);
        Assert.That(_netns.Nft("svc", "list set ip wincni_services reject_vips"), Does.Not.Contain("10.96.0.1"));
        Assert.That(Maps(), Is.EqualTo(new[] { "vips_rr_3" }));
        await AssertMatchesFullRenderAsync(cancellationToken);
    }

    [Test]
    [CancelAfter(30_000)]
    public async Task PlanChanges_AffinityLoadBalancerAmongRandomOnes_OwnMapAndRuleOthersKept(CancellationToken cancellationToken)
    {
        await ApplyAsync(new() { [First] = Lb(First, "10.96.0.1"), [Second] = Lb(Second, "10.96.0.2") }, cancellationToken);

        var sticky = ServiceRendererTests.LoadBalancer(["10.96.0.3"], LoadBalancerDistribution.SourceIP, id: Third);
        await ApplyAsync(new() { [Third] = sticky }, cancellationToken);

        Assert.That(Maps(), Is.EquivalentTo(new[] { "vips_rr_2", "vips_sh_2" }));
        Assert.That(Chain("vips"), Does.Contain("jump vips_rr_2").And.Contain("jump vips_sh_2"));
        Assert.That(Chain("vips_sh_2"), Does.Contain("jhash ip saddr mod 2").And.Contain("map @vips_sh_2"));
        Assert.That(_netns.Nft("svc", "list map ip wincni_services vips_rr_2"), Does.Contain("10.96.0.1 . tcp . 80 . 0").And.Contain("10.96.0.2 . tcp . 80 . 1"));
        await AssertMatchesFullRenderAsync(cancellationToken);
    }

    [Test]
    [CancelAfter(30_000)]
    public async Task PlanChanges_AllRemoved_NoObjectLeftThenTableGone(CancellationToken cancellationToken)
    {
        var nodePort = ServiceRendererTests.LoadBalancer([], flags: LoadBalancerPortMappingFlags.EnableInternalLoadBalancer, id: Second);
        await ApplyAsync(new() { [First] = Lb(First, "10.96.0.1"), [Second] = nodePort, [Third] = Lb(Third, "10.96.0.3", BackendA) }, cancellationToken);

        await ApplyAsync(new() { [Second] = null, [Third] = null }, cancellationToken);
        var afterTwo = _netns.Nft("svc", "list table ip wincni_services");
        await ApplyAsync(new() { [First] = null }, cancellationToken);

        Assert.That(Maps(afterTwo), Is.EqualTo(new[] { "vips_rr_2" }));
        Assert.That(afterTwo, Does.Not.Contain("30080").And.Not.Contain("tcp . 80 :").And.Not.Contain("10.96.0.3"));
        Assert.That(_netns.Nft("svc", "list tables"), Does.Not.Contain("wincni_services"));
    }

    [Test]
    [CancelAfter(30_000)]
    public async Task TryApplyElements_EveryElementShape_SameTableAsTextAndDeletableEitherWay(CancellationToken cancellationToken)
    {
        // VIP and NodePort frontends with backends (random and source hash, masqueraded NodePorts), ILB and
        // LocalRoutedVIP sets, hairpin pairs, reject and drop sets: every key and value layout, first added as text
        // (the table's first render), then more of each over netlink.
        HostComputeLoadBalancer Of(Guid id, string? vip, LoadBalancerPortMappingFlags flags, LoadBalancerDistribution distribution, bool drop, params Guid[] backends) => new()
        {
            Id = id,
            FrontendVips = vip is null ? [] : [vip],
            HostComputeEndpoints = backends,
            DropWithoutBackends = drop,
            PortMappings =
            [
                new LoadBalancerPortMapping { Protocol = Hcn.Model.Policies.ProtocolType.Tcp, ExternalPort = (ushort)(vip is null ? 30080 : 80), InternalPort = 8080, Flags = flags, DistributionType = distribution },
                new LoadBalancerPortMapping { Protocol = Hcn.Model.Policies.ProtocolType.Udp, ExternalPort = (ushort)(vip is null ? 30053 : 53), InternalPort = 5353, Flags = flags, DistributionType = distribution },
            ],
        };
        var all = LoadBalancerPortMappingFlags.EnableInternalLoadBalancer | LoadBalancerPortMappingFlags.LocalRoutedVip;
        Guid Id(int i) => Guid.Parse($"20000000-0000-0000-0000-{i:D12}");
        await ApplyAsync(new()
        {
            [Id(1)] = Of(Id(1), "10.96.1.1", all, LoadBalancerDistribution.None, false, BackendA, BackendB),
            [Id(2)] = Of(Id(2), null, all, LoadBalancerDistribution.SourceIP, false, BackendA, BackendC),
            [Id(3)] = Of(Id(3), "10.96.1.3", LoadBalancerPortMappingFlags.None, LoadBalancerDistribution.None, false),
            [Id(4)] = Of(Id(4), null, LoadBalancerPortMappingFlags.None, LoadBalancerDistribution.None, true),
        }, cancellationToken);

        await ApplyAsync(new()
        {
            [Id(5)] = Of(Id(5), "10.96.1.5", all, LoadBalancerDistribution.None, false, BackendC, BackendB),
            [Id(6)] = Of(Id(6), null, LoadBalancerPortMappingFlags.None, LoadBalancerDistribution.SourceIP, false, BackendB, BackendA) with
            {
                PortMappings = [new LoadBalancerPortMapping { Protocol = Hcn.Model.Policies.ProtocolType.Tcp, ExternalPort = 30081, InternalPort = 8081, DistributionType = LoadBalancerDistribution.SourceIP }],
            },
            [Id(7)] = Of(Id(7), "10.96.1.7", LoadBalancerPortMappingFlags.None, LoadBalancerDistribution.None, true),
            [Id(8)] = Of(Id(8), null, LoadBalancerPortMappingFlags.None, LoadBalancerDistribution.None, false),
        }, cancellationToken);
        var bothWays = NetlinkBatches;
        await AssertMatchesFullRenderAsync(cancellationToken);

        // Elements the text render added, deleted over netlink: the keys are byte for byte what nft makes.
        await ApplyAsync(new() { [Id(1)] = null, [Id(4)] = null }, cancellationToken);
        await AssertMatchesFullRenderAsync(cancellationToken);

        Assert.That(bothWays, Is.EqualTo(1), "the second change was element changes only");
        Assert.That(NetlinkBatches, Is.EqualTo(2));
        Assert.That(_netns.Nft("svc", "list table ip wincni_services"), Does.Not.Contain("10.96.1.1 "));
    }

    [Test]
    [CancelAfter(30_000)]
    public async Task TryApplyElements_Ip6EveryElementShapeWithIpv4InOneBatch_SameTablesAsTextAndDeletable(CancellationToken cancellationToken)
    {
        // The ip6 table's keys and values (16-byte addresses, four registers each) as nft makes them: first rendered
        // as text, then more of every shape added over netlink in one transaction with an ip table change, compared
        // with a full text render, then deleted over netlink.
        var sync6 = new ServiceTableSync(NftFamily.Ip6);
        sync6.Invalidate(tableExists: false);
        var applied6 = new Dictionary<Guid, LoadBalancerRendering>();
        HostComputeLoadBalancer Of(Guid id, string? vip, LoadBalancerPortMappingFlags flags, LoadBalancerDistribution distribution, params Guid[] backends) => new()
        {
            Id = id,
            Flags = LoadBalancerFlags.IPv6,
            FrontendVips = vip is null ? [] : [vip],
            HostComputeEndpoints = backends,
            PortMappings =
            [
                new LoadBalancerPortMapping { Protocol = Hcn.Model.Policies.ProtocolType.Tcp, ExternalPort = (ushort)(vip is null ? 30080 : 80), InternalPort = 8080, Flags = flags, DistributionType = distribution },
                new LoadBalancerPortMapping { Protocol = Hcn.Model.Policies.ProtocolType.Udp, ExternalPort = (ushort)(vip is null ? 30053 : 53), InternalPort = 5353, Flags = flags, DistributionType = distribution },
            ],
        };
        Dictionary<Guid, LoadBalancerRendering?> Render6(params HostComputeLoadBalancer[] lbs) =>
            lbs.ToDictionary(l => l.Id, l => ServiceRenderer.Render(l, ServiceRendererTests.Address6, null, NftFamily.Ip6));
        void Accept6(ServiceTablePlan plan, Dictionary<Guid, LoadBalancerRendering?> renderings)
        {
            sync6.Accept(plan);
            foreach (var (id, rendering) in renderings)
            {
                if (rendering is null)
                {
                    applied6.Remove(id);
                }
                else
                {
                    applied6[id] = rendering;
                }
            }
        }

        var all = LoadBalancerPortMappingFlags.EnableInternalLoadBalancer | LoadBalancerPortMappingFlags.LocalRoutedVip;
        Guid Id(int i) => Guid.Parse($"60000000-0000-0000-0000-{i:D12}");
        await ApplyAsync(new() { [First] = Lb(First, "10.96.0.1") }, cancellationToken);
        var first = Render6(
            Of(Id(1), "fd00:96::1", all, LoadBalancerDistribution.None, BackendA, BackendB),
            Of(Id(2), null, all, LoadBalancerDistribution.SourceIP, BackendA, BackendC),
            Of(Id(3), "fd00:96::3", LoadBalancerPortMappingFlags.None, LoadBalancerDistribution.None));
        var plan = sync6.PlanChanges(first);
        await _nft.ApplyAsync(plan.Text, cancellationToken);
        Accept6(plan, first);

        var second = Render6(
            Of(Id(5), "fd00:96::5", all, LoadBalancerDistribution.None, BackendC, BackendB),
            Of(Id(6), null, LoadBalancerPortMappingFlags.None, LoadBalancerDistribution.SourceIP, BackendB, BackendA) with
            {
                PortMappings = [new LoadBalancerPortMapping { Protocol = Hcn.Model.Policies.ProtocolType.Tcp, ExternalPort = 30081, InternalPort = 8081, DistributionType = LoadBalancerDistribution.SourceIP }],
            },
            Of(Id(7), "fd00:96::7", LoadBalancerPortMappingFlags.None, LoadBalancerDistribution.None));
        var plan6 = sync6.PlanChanges(second);
        var plan4 = _sync.PlanChanges(new Dictionary<Guid, LoadBalancerRendering?> { [Second] = ServiceRenderer.Render(Lb(Second, "10.96.0.2"), Address) });
        Assert.That(plan6.ElementChanges, Is.Not.Null);
        Assert.That(plan4.ElementChanges, Is.Not.Null);
        Assert.That(_nft.TryApplyElements(
        [
            new NftElementBatch.Part(NftFamily.Ip, ServiceRenderer.Table, plan4.ElementChanges!.Delete, plan4.ElementChanges.Add),
            new NftElementBatch.Part(NftFamily.Ip6, ServiceRenderer.Table, plan6.ElementChanges!.Delete, plan6.ElementChanges.Add),
        ]), Is.True);
        Accept6(plan6, second);
        _sync.Accept(plan4);
        _applied[Second] = ServiceRenderer.Render(Lb(Second, "10.96.0.2"), Address)!;

        var incremental = _netns.Nft("svc", "list table ip6 wincni_services");
        await _nft.ApplyAsync(new ServiceTableSync(NftFamily.Ip6).Plan(applied6).Text, cancellationToken);
        Assert.That(Normalize(incremental), Is.EqualTo(Normalize(_netns.Nft("svc", "list table ip6 wincni_services"))));
        await AssertMatchesFullRenderAsync(cancellationToken);

        // Elements the text render added, deleted over netlink.
        var gone = new Dictionary<Guid, LoadBalancerRendering?> { [Id(1)] = null, [Id(2)] = null };
        var delete = sync6.PlanChanges(gone);
        Assert.That(_nft.TryApplyElements([new NftElementBatch.Part(NftFamily.Ip6, ServiceRenderer.Table, delete.ElementChanges!.Delete, delete.ElementChanges.Add)]), Is.True);
        Accept6(delete, gone);
        Assert.That(_netns.Nft("svc", "list table ip6 wincni_services"), Does.Not.Contain("fd00:96::1 ").And.Contain("fd00:96::5 . tcp . 80"));
    }

    [Test]
    [CancelAfter(30_000)]
    public async Task TryApplyElements_OneDeleteOfAMissingElement_WholeBatchRefusedNamingTheSet(CancellationToken cancellationToken)
    {
        await ApplyAsync(new() { [First] = Lb(First, "10.96.0.1", BackendA), [Second] = Lb(Second, "10.96.0.2", BackendB) }, cancellationToken);
        var before = _netns.Nft("svc", "list table ip wincni_services");
        var added = ServiceRenderer.Render(Lb(Third, "10.96.0.3", BackendC), Address)!.Elements;
        var missing = NftElement.Frontend(ServiceRenderer.RejectVips, System.Net.IPAddress.Parse("10.96.0.99"), 6, 80);

        var refused = Assert.Throws<NftException>(() => _nft.TryApplyElements(ServiceRenderer.Table, [missing], added));

        Assert.That(refused!.Message, Does.Contain("delete element ip wincni_services reject_vips").And.Contain("ENOENT"));
        Assert.That(_netns.Nft("svc", "list table ip wincni_services"), Is.EqualTo(before), "nothing of the batch applied");
        await Task.CompletedTask;
    }

    [Test]
    [CancelAfter(60_000)]
    public async Task TryApplyElements_MoreElementsThanOneMessageHolds_SplitAndAllApplied(CancellationToken cancellationToken)
    {
        await ApplyAsync(new() { [First] = Lb(First, "10.96.0.1", BackendA, BackendB) }, cancellationToken);

        // 4,000 load balancers of two backends: 8,000 map elements, several messages of one set in one batch.
        var many = Enumerable.Range(0, 4000).ToDictionary(
            i => Guid.Parse($"30000000-0000-0000-0000-{i:D12}"),
            i => (HostComputeLoadBalancer?)Lb(Guid.Parse($"30000000-0000-0000-0000-{i:D12}"), $"10.97.{i / 250}.{i % 250}", BackendA, BackendB));
        await ApplyAsync(many, cancellationToken);

        Assert.That(NetlinkBatches, Is.EqualTo(1));
        await AssertMatchesFullRenderAsync(cancellationToken);
    }

    [Test]
    [CancelAfter(30_000)]
    public async Task ListTablesAsync_ServicesAndOtherTables_NamesWithPrefixOnly(CancellationToken cancellationToken)
    {
        await ApplyAsync(new() { [First] = Lb(First, "10.96.0.1") }, cancellationToken);
        _netns.Nft("svc", "add table ip wincni_0123abcd");
        _netns.Nft("svc", "add table ip other");
        _netns.Nft("svc", "add table ip6 wincni_v6");

        var tables = await _nft.ListTablesAsync("wincni_", cancellationToken);

        Assert.That(tables, Is.EquivalentTo(new[] { "wincni_services", "wincni_0123abcd" }));
    }

    private async Task ApplyAsync(Dictionary<Guid, HostComputeLoadBalancer?> changes, CancellationToken cancellationToken)
    {
        var renderings = changes.ToDictionary(c => c.Key, c => c.Value is null ? null : ServiceRenderer.Render(c.Value, Address));
        var plan = _sync.PlanChanges(renderings);

        // As KernelHcn applies a plan: element changes alone over netlink, anything else as text.
        if (plan.ElementChanges is { } elements)
        {
            Assert.That(_nft.TryApplyElements(ServiceRenderer.Table, elements.Delete, elements.Add), Is.True);
            NetlinkBatches++;
        }
        else
        {
            await _nft.ApplyAsync(plan.Text, cancellationToken);
        }

        _sync.Accept(plan);
        foreach (var (id, rendering) in renderings)
        {
            if (rendering is null)
            {
                _applied.Remove(id);
            }
            else
            {
                _applied[id] = rendering;
            }
        }
    }

    /// <summary>The incrementally built table must hold what a full render of the same load balancers makes.</summary>
    private async Task AssertMatchesFullRenderAsync(CancellationToken cancellationToken)
    {
        var incremental = _netns.Nft("svc", "list table ip wincni_services");
        await _nft.ApplyAsync(new ServiceTableSync().Plan(_applied).Text, cancellationToken);

        Assert.That(Normalize(incremental), Is.EqualTo(Normalize(_netns.Nft("svc", "list table ip wincni_services"))));
    }

    /// <summary>The listing's statements and elements, sorted (the kernel lists a map's elements in hash order).</summary>
    private static string Normalize(string listing) =>
        string.Join('\n', listing.Split([',', '\n', '{', '}']).Select(l => l.Replace("elements =", string.Empty, StringComparison.Ordinal).Trim())
            .Where(l => l.Length > 0).Order(StringComparer.Ordinal));

    private List<string> Maps(string? listing = null) =>
        (listing ?? _netns.Nft("svc", "list table ip wincni_services")).Split('\n').Select(l => l.Trim())
            .Where(l => l.StartsWith("map ", StringComparison.Ordinal)).Select(l => l.Split(' ')[1]).ToList();

    private string Chain(string name) => _netns.Nft("svc", $"list chain ip wincni_services {name}");

    private static HostComputeLoadBalancer Lb(Guid id, string vip, params Guid[] backends) =>
        ServiceTableSyncTests.Lb(id, vip, backends);

    private static System.Net.IPAddress? Address(Guid id) => ServiceRendererTests.Address(id);
}
