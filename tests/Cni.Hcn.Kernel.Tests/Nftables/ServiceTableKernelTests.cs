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
        await _nft.ApplyAsync(plan.Text, cancellationToken);
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
