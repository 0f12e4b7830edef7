using Cni.Hcn.Kernel.Nftables;
using Cni.Hcn.Model;

namespace Cni.Hcn.Kernel.Tests.Nftables;

[TestFixture]
public sealed class ServiceTableSyncTests
{
    private const string T = "wincni_services";
    private static readonly Guid First = Guid.Parse("10000000-0000-0000-0000-000000000001");
    private static readonly Guid Second = Guid.Parse("10000000-0000-0000-0000-000000000002");
    private static readonly Guid Third = Guid.Parse("10000000-0000-0000-0000-000000000003");
    private static readonly Guid BackendA = Guid.Parse("00000000-0000-0000-0000-00000000000a");
    private static readonly Guid BackendB = Guid.Parse("00000000-0000-0000-0000-00000000000b");
    private static readonly Guid BackendC = Guid.Parse("00000000-0000-0000-0000-00000000000c");

    [Test]
    public void Plan_FirstSync_ReplacesWholeTable()
    {
        var sync = new ServiceTableSync();

        var plan = sync.Plan(Desired(Lb(First, "10.96.0.1")));

        Assert.That(plan.Full, Is.True);
        Assert.That(plan.Text, Does.StartWith($"table ip {T}\ndelete table ip {T}\ntable ip {T} {{\n"));
        Assert.That(plan.GroupElements, Is.EqualTo(new Dictionary<BackendGroup, int> { [new(false, false, 2)] = 2 }));
        Assert.That(plan.Elements, Is.EqualTo(4), "two backends and their two hairpin pairs");
    }

    [Test]
    public void Plan_NothingChanged_EmptyText()
    {
        var sync = Synced(Lb(First, "10.96.0.1"), Lb(Second, "10.96.0.2"));

        var plan = sync.Plan(Desired(Lb(First, "10.96.0.1"), Lb(Second, "10.96.0.2")));

        Assert.That(plan.Text, Is.Empty);
        Assert.That((plan.Added, plan.Changed, plan.Removed), Is.EqualTo((0, 0, 0)));
    }

    [Test]
    public void Plan_AddedToExistingGroup_OnlyItsElements()
    {
        var sync = Synced(Lb(First, "10.96.0.1"));

        var plan = sync.Plan(Desired(Lb(First, "10.96.0.1"), Lb(Second, "10.96.0.2")));

        Assert.That(plan.Full, Is.False);
        Assert.That(plan.Text, Is.EqualTo(
            $"add element ip {T} vips_rr_2 {{ 10.96.0.2 . tcp . 80 . 0 : 10.244.1.5 . 8080, 10.96.0.2 . tcp . 80 . 1 : 10.244.2.5 . 8080 }}\n"));
        Assert.That(plan.Elements, Is.EqualTo(2));
    }

    [Test]
    public void Plan_OneBackendReplaced_DeletesAndAddsOneElementOnly()
    {
        var sync = Synced(Lb(First, "10.96.0.1"), Lb(Second, "10.96.0.2"));

        var plan = sync.Plan(Desired(Lb(First, "10.96.0.1"), Lb(Second, "10.96.0.2", BackendA, BackendC)));

        Assert.That(plan.Text, Is.EqualTo(
            $"delete element ip {T} vips_rr_2 {{ 10.96.0.2 . tcp . 80 . 1 }}\n" +
            $"add element ip {T} hairpin {{ 10.244.3.5 . 10.244.3.5 }}\n" +
            $"add element ip {T} vips_rr_2 {{ 10.96.0.2 . tcp . 80 . 1 : 10.244.3.5 . 8080 }}\n"), "10.244.2.5 is still First's backend");
        Assert.That((plan.Added, plan.Changed, plan.Removed, plan.Elements), Is.EqualTo((0, 1, 0, 3)));
    }

    [Test]
    public void Plan_BackendCountChangedGroupStillUsed_MovesToNewGroupAndRewritesVipRules()
    {
        var sync = Synced(Lb(First, "10.96.0.1"), Lb(Second, "10.96.0.2"));

        var plan = sync.Plan(Desired(Lb(First, "10.96.0.1"), Lb(Second, "10.96.0.2", BackendA, BackendB, BackendC)));

        Assert.That(plan.Text, Is.EqualTo(
            $"delete element ip {T} vips_rr_2 {{ 10.96.0.2 . tcp . 80 . 0, 10.96.0.2 . tcp . 80 . 1 }}\n" +
            $"add map ip {T} vips_rr_3 {{ typeof ip daddr . meta l4proto . th dport . numgen random mod 3 : ip daddr . th dport; }}\n" +
            $"add chain ip {T} vips_rr_3\n" +
            $"add rule ip {T} vips_rr_3 dnat ip to ip daddr . meta l4proto . th dport . numgen random mod 3 map @vips_rr_3\n" +
            $"flush chain ip {T} vips\n" +
            $"add rule ip {T} vips ip daddr . meta l4proto . th dport @drop_vips drop\n" +
            $"add rule ip {T} vips ip daddr . meta l4proto . th dport @reject_vips meta l4proto tcp reject with tcp reset\n" +
            $"add rule ip {T} vips ip daddr . meta l4proto . th dport @reject_vips reject\n" +
            $"add rule ip {T} vips jump vips_rr_2\n" +
            $"add rule ip {T} vips jump vips_rr_3\n" +
            $"add element ip {T} hairpin {{ 10.244.3.5 . 10.244.3.5 }}\n" +
            $"add element ip {T} vips_rr_3 {{ 10.96.0.2 . tcp . 80 . 0 : 10.244.1.5 . 8080, 10.96.0.2 . tcp . 80 . 1 : 10.244.2.5 . 8080, " +
            "10.96.0.2 . tcp . 80 . 2 : 10.244.3.5 . 8080 }\n"));
        Assert.That(plan.GroupElements, Is.EqualTo(new Dictionary<BackendGroup, int> { [new(false, false, 2)] = 2, [new(false, false, 3)] = 3 }));
    }

    [Test]
    public void Plan_LastOfGroupLeaves_ChainAndMapDeletedAfterDispatchNoLongerJumpsThere()
    {
        var sync = Synced(Lb(First, "10.96.0.1"), Lb(Second, "10.96.0.2", BackendA, BackendB, BackendC));

        var plan = sync.Plan(Desired(Lb(First, "10.96.0.1"), Lb(Second, "10.96.0.2")));

        Assert.That(plan.Text, Does.Not.Contain($"delete element ip {T} vips_rr_3"), "the map goes with its elements");
        Assert.That(plan.Text, Does.Contain(
            $"flush chain ip {T} vips\n" +
            $"add rule ip {T} vips ip daddr . meta l4proto . th dport @drop_vips drop\n" +
            $"add rule ip {T} vips ip daddr . meta l4proto . th dport @reject_vips meta l4proto tcp reject with tcp reset\n" +
            $"add rule ip {T} vips ip daddr . meta l4proto . th dport @reject_vips reject\n" +
            $"add rule ip {T} vips jump vips_rr_2\n" +
            $"flush chain ip {T} vips_rr_3\n" +
            $"delete chain ip {T} vips_rr_3\n" +
            $"delete map ip {T} vips_rr_3\n"));
        Assert.That(plan.GroupElements.Keys, Is.EqualTo(new[] { new BackendGroup(false, false, 2) }));
    }

    [Test]
    public void Plan_OneThenNoThenThreeBackends_RejectsInBetweenAndGroupsFollow()
    {
        var sync = Synced(Lb(Second, "10.96.0.2", BackendA));

        var none = sync.Plan(Desired(NoBackends(Second, "10.96.0.2")));
        sync.Accept(none);
        var three = sync.Plan(Desired(Lb(Second, "10.96.0.2", BackendA, BackendB, BackendC)));

        Assert.That(none.Text, Does.Contain($"delete chain ip {T} vips_rr_1\ndelete map ip {T} vips_rr_1\n")
            .And.EndWith($"add element ip {T} reject_vips {{ 10.96.0.2 . tcp . 80 }}\n"));
        Assert.That(none.Text, Does.Not.Contain("jump vips_rr_1"));
        Assert.That(none.GroupElements, Is.Empty);
        Assert.That(three.Text, Does.StartWith($"delete element ip {T} reject_vips {{ 10.96.0.2 . tcp . 80 }}\nadd map ip {T} vips_rr_3 "));
        Assert.That(three.Text, Does.Contain("numgen random mod 3 map @vips_rr_3\n").And.Contain("jump vips_rr_3\n").And.Contain($"add element ip {T} vips_rr_3 {{ "));
    }

    [Test]
    public void Plan_AffinityLoadBalancerAmongRandomOnes_OwnSourceHashGroupOthersUntouched()
    {
        var sync = Synced(Lb(First, "10.96.0.1"), Lb(Second, "10.96.0.2"));
        var sticky = ServiceRendererTests.LoadBalancer(["10.96.0.3"], LoadBalancerDistribution.SourceIP, id: Third);

        var plan = sync.PlanChanges(new Dictionary<Guid, LoadBalancerRendering?> { [Third] = ServiceRenderer.Render(sticky, ServiceRendererTests.Address) });

        Assert.That(plan.Text, Does.Contain($"add map ip {T} vips_sh_2 "));
        Assert.That(plan.Text, Does.Contain($"add rule ip {T} vips_sh_2 dnat ip to ip daddr . meta l4proto . th dport . jhash ip saddr mod 2 seed 0x0 map @vips_sh_2\n"));
        Assert.That(plan.Text, Does.Contain("jump vips_rr_2\n").And.Contain("jump vips_sh_2\n").And.Not.Contain("map @vips_rr_2"));
        Assert.That(plan.Text, Does.Contain($"add element ip {T} vips_sh_2 {{ 10.96.0.3 . tcp . 80 . 0 : 10.244.1.5 . 8080, "));
        Assert.That(plan.Text, Does.Not.Contain("10.96.0.1").And.Not.Contain("10.96.0.2"));
    }

    [Test]
    public void Plan_VipChanged_ElementDiffOnly()
    {
        var sync = Synced(Lb(First, "10.96.0.1"));

        var plan = sync.Plan(Desired(Lb(First, "10.96.0.9")));

        Assert.That(plan.Text, Is.EqualTo(
            $"delete element ip {T} vips_rr_2 {{ 10.96.0.1 . tcp . 80 . 0, 10.96.0.1 . tcp . 80 . 1 }}\n" +
            $"add element ip {T} vips_rr_2 {{ 10.96.0.9 . tcp . 80 . 0 : 10.244.1.5 . 8080, 10.96.0.9 . tcp . 80 . 1 : 10.244.2.5 . 8080 }}\n"));
    }

    [Test]
    public void Plan_Removed_DeletesOnlyItsElements()
    {
        var sync = Synced(Lb(First, "10.96.0.1"), Lb(Second, "10.96.0.2"));

        var plan = sync.Plan(Desired(Lb(First, "10.96.0.1")));

        Assert.That(plan.Text, Is.EqualTo($"delete element ip {T} vips_rr_2 {{ 10.96.0.2 . tcp . 80 . 0, 10.96.0.2 . tcp . 80 . 1 }}\n"));
        Assert.That((plan.Added, plan.Changed, plan.Removed), Is.EqualTo((0, 0, 1)));
    }

    [Test]
    public void Plan_FrontendMovesBetweenLoadBalancers_DeleteBeforeAdd()
    {
        var sync = Synced(Lb(First, "10.96.0.1"));

        var plan = sync.Plan(Desired(Lb(Second, "10.96.0.1", BackendC, BackendB)));

        Assert.That(plan.Text, Is.EqualTo(
            $"delete element ip {T} hairpin {{ 10.244.1.5 . 10.244.1.5 }}\n" +
            $"delete element ip {T} vips_rr_2 {{ 10.96.0.1 . tcp . 80 . 0, 10.96.0.1 . tcp . 80 . 1 }}\n" +
            $"add element ip {T} hairpin {{ 10.244.3.5 . 10.244.3.5 }}\n" +
            $"add element ip {T} vips_rr_2 {{ 10.96.0.1 . tcp . 80 . 0 : 10.244.3.5 . 8080, 10.96.0.1 . tcp . 80 . 1 : 10.244.2.5 . 8080 }}\n"));
        Assert.That((plan.Added, plan.Changed, plan.Removed), Is.EqualTo((1, 0, 1)));
    }

    [Test]
    public void PlanChanges_BackendSharedByTwoLoadBalancers_HairpinPairGoesWithTheLast()
    {
        var sync = Synced(Lb(First, "10.96.0.1", BackendA), Lb(Second, "10.96.0.2", BackendA));

        var one = sync.PlanChanges(new Dictionary<Guid, LoadBalancerRendering?> { [First] = null });
        sync.Accept(one);
        var both = sync.PlanChanges(new Dictionary<Guid, LoadBalancerRendering?> { [Second] = Desired(Lb(Second, "10.96.0.2", BackendB))[Second] });

        Assert.That(one.Text, Is.EqualTo($"delete element ip {T} vips_rr_1 {{ 10.96.0.1 . tcp . 80 . 0 }}\n"));
        Assert.That(both.Text, Is.EqualTo(
            $"delete element ip {T} hairpin {{ 10.244.1.5 . 10.244.1.5 }}\n" +
            $"delete element ip {T} vips_rr_1 {{ 10.96.0.2 . tcp . 80 . 0 }}\n" +
            $"add element ip {T} hairpin {{ 10.244.2.5 . 10.244.2.5 }}\n" +
            $"add element ip {T} vips_rr_1 {{ 10.96.0.2 . tcp . 80 . 0 : 10.244.2.5 . 8080 }}\n"));
    }

    [Test]
    public void Plan_LastRemoved_DeletesTable()
    {
        var sync = Synced(Lb(First, "10.96.0.1"));

        var plan = sync.Plan(Desired());

        Assert.That(plan.Text, Is.EqualTo($"table ip {T}\ndelete table ip {T}\n"));
    }

    [Test]
    public void Plan_StartWithoutTableAndNoLoadBalancers_EmptyText()
    {
        var sync = new ServiceTableSync();
        sync.Invalidate(tableExists: false);

        Assert.That(sync.Plan(Desired()).Text, Is.Empty);
    }

    [Test]
    public void Plan_AfterInvalidate_FullAgain()
    {
        var sync = Synced(Lb(First, "10.96.0.1"));
        sync.Invalidate();

        var plan = sync.Plan(Desired(Lb(First, "10.96.0.1"), Lb(Third, "10.96.0.3")));

        Assert.That(plan.Full, Is.True);
        Assert.That(plan.Text, Does.Contain("10.96.0.1 . tcp . 80 . 0 : ").And.Contain("10.96.0.3 . tcp . 80 . 0 : "));
    }

    [Test]
    public void PlanChanges_OneOfThreeChanged_OnlyItsElementsOthersUntouched()
    {
        var sync = Synced(Lb(First, "10.96.0.1"), Lb(Second, "10.96.0.2"), Lb(Third, "10.96.0.3"));

        var plan = sync.PlanChanges(new Dictionary<Guid, LoadBalancerRendering?> { [Second] = Desired(Lb(Second, "10.96.0.2", BackendA, BackendC))[Second] });

        sync.Accept(plan);

        Assert.That(plan.Text, Does.Contain("10.96.0.2").And.Not.Contain("10.96.0.1").And.Not.Contain("10.96.0.3"));
        Assert.That(sync.LoadBalancers, Is.EquivalentTo(new[] { First, Second, Third }));
        Assert.That((plan.Added, plan.Changed, plan.Removed), Is.EqualTo((0, 1, 0)));
    }

    [Test]
    public void PlanChanges_Removed_DeletesOnlyIt()
    {
        var sync = Synced(Lb(First, "10.96.0.1"), Lb(Second, "10.96.0.2"));

        var plan = sync.PlanChanges(new Dictionary<Guid, LoadBalancerRendering?> { [Second] = null });

        sync.Accept(plan);

        Assert.That(plan.Text, Is.EqualTo($"delete element ip {T} vips_rr_2 {{ 10.96.0.2 . tcp . 80 . 0, 10.96.0.2 . tcp . 80 . 1 }}\n"));
        Assert.That(sync.LoadBalancers, Is.EqualTo(new[] { First }));
    }

    [Test]
    public void PlanChanges_NotTrusted_FullRender()
    {
        var sync = Synced(Lb(First, "10.96.0.1"));
        sync.Invalidate();

        var plan = sync.PlanChanges(new Dictionary<Guid, LoadBalancerRendering?> { [Second] = Desired(Lb(Second, "10.96.0.2"))[Second] });

        Assert.That(plan.Full, Is.True);
    }

    [Test]
    public void PlanChanges_Ip6Sync_FamilyInEveryCommandAndIpv6Elements()
    {
        var sync = new ServiceTableSync(NftFamily.Ip6);
        var first = Lb(First, "fd00:96::1") with { Flags = LoadBalancerFlags.IPv6 };
        sync.Accept(sync.PlanChanges(Changes6(first)));

        var plan = sync.PlanChanges(Changes6(Lb(First, "fd00:96::1", BackendA, BackendB, BackendC) with { Flags = LoadBalancerFlags.IPv6 }));

        Assert.That(plan.Text, Is.EqualTo(
            $"add map ip6 {T} vips_rr_3 {{ typeof ip6 daddr . meta l4proto . th dport . numgen random mod 3 : ip6 daddr . th dport; }}\n" +
            $"add chain ip6 {T} vips_rr_3\n" +
            $"add rule ip6 {T} vips_rr_3 dnat ip6 to ip6 daddr . meta l4proto . th dport . numgen random mod 3 map @vips_rr_3\n" +
            $"flush chain ip6 {T} vips\n" +
            $"add rule ip6 {T} vips ip6 daddr . meta l4proto . th dport @drop_vips drop\n" +
            $"add rule ip6 {T} vips ip6 daddr . meta l4proto . th dport @reject_vips meta l4proto tcp reject with tcp reset\n" +
            $"add rule ip6 {T} vips ip6 daddr . meta l4proto . th dport @reject_vips reject\n" +
            $"add rule ip6 {T} vips jump vips_rr_3\n" +
            $"flush chain ip6 {T} vips_rr_2\n" +
            $"delete chain ip6 {T} vips_rr_2\n" +
            $"delete map ip6 {T} vips_rr_2\n" +
            $"add element ip6 {T} hairpin {{ fd00:244:3::5 . fd00:244:3::5 }}\n" +
            $"add element ip6 {T} vips_rr_3 {{ fd00:96::1 . tcp . 80 . 0 : fd00:244:1::5 . 8080, fd00:96::1 . tcp . 80 . 1 : fd00:244:2::5 . 8080, " +
            "fd00:96::1 . tcp . 80 . 2 : fd00:244:3::5 . 8080 }\n"));
        Assert.That(sync.Family, Is.SameAs(NftFamily.Ip6));
    }

    [Test]
    public void Plan_Ip6FirstAndLast_CreatesAndDeletesTheIp6TableOnly()
    {
        var sync = new ServiceTableSync(NftFamily.Ip6);
        sync.Invalidate(tableExists: false);

        var first = sync.Plan(new Dictionary<Guid, LoadBalancerRendering>
        {
            [First] = ServiceRenderer.Render(Lb(First, "fd00:96::1") with { Flags = LoadBalancerFlags.IPv6 }, ServiceRendererTests.Address6, null, NftFamily.Ip6)!,
        });
        sync.Accept(first);
        var last = sync.PlanChanges(new Dictionary<Guid, LoadBalancerRendering?> { [First] = null });

        Assert.That(first.Text, Does.StartWith($"table ip6 {T}\ndelete table ip6 {T}\ntable ip6 {T} {{\n"));
        Assert.That(last.Text, Is.EqualTo($"table ip6 {T}\ndelete table ip6 {T}\n"));
        Assert.That(sync.ExpectedShape()!.Elements["hairpin"], Is.EqualTo(2));
    }

    private static Dictionary<Guid, LoadBalancerRendering?> Changes6(HostComputeLoadBalancer lb) =>
        new() { [lb.Id] = ServiceRenderer.Render(lb, ServiceRendererTests.Address6, null, NftFamily.Ip6) };

    internal static HostComputeLoadBalancer Lb(Guid id, string vip, params Guid[] backends)
    {
        var lb = ServiceRendererTests.LoadBalancer([vip], id: id);
        return backends.Length == 0 ? lb : lb with { HostComputeEndpoints = backends };
    }

    private static HostComputeLoadBalancer NoBackends(Guid id, string vip) => Lb(id, vip) with { HostComputeEndpoints = [] };

    private static Dictionary<Guid, LoadBalancerRendering> Desired(params HostComputeLoadBalancer[] lbs) =>
        lbs.ToDictionary(l => l.Id, l => ServiceRenderer.Render(l, ServiceRendererTests.Address)!);

    private static ServiceTableSync Synced(params HostComputeLoadBalancer[] lbs)
    {
        var sync = new ServiceTableSync();
        sync.Accept(sync.Plan(Desired(lbs)));
        return sync;
    }
}
