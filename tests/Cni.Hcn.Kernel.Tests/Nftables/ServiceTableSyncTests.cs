using Cni.Hcn.Kernel.Nftables;
using Cni.Hcn.Model;

namespace Cni.Hcn.Kernel.Tests.Nftables;

[TestFixture]
public sealed class ServiceTableSyncTests
{
    private static readonly Guid First = Guid.Parse("10000000-0000-0000-0000-000000000001");
    private static readonly Guid Second = Guid.Parse("10000000-0000-0000-0000-000000000002");
    private static readonly Guid Third = Guid.Parse("10000000-0000-0000-0000-000000000003");

    [Test]
    public void Plan_FirstSync_ReplacesWholeTable()
    {
        var sync = new ServiceTableSync();

        var plan = sync.Plan(Desired(Lb(First, "10.96.0.1")));

        Assert.That(plan.Full, Is.True);
        Assert.That(plan.Text, Does.StartWith("table ip wincni_services\ndelete table ip wincni_services\ntable ip wincni_services {\n"));
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
    public void Plan_Added_OnlyNewChainRulesAndElements()
    {
        var sync = Synced(Lb(First, "10.96.0.1"));

        var plan = sync.Plan(Desired(Lb(First, "10.96.0.1"), Lb(Second, "10.96.0.2")));

        var chain = $"lb-{Second:N}";
        Assert.That(plan.Full, Is.False);
        Assert.That(plan.Text, Is.EqualTo(
            $"add chain ip wincni_services {chain}\n" +
            $"add rule ip wincni_services {chain} tcp dport 80 numgen inc mod 2 0 dnat to 10.244.1.5:8080\n" +
            $"add rule ip wincni_services {chain} tcp dport 80 dnat to 10.244.2.5:8080\n" +
            $"add element ip wincni_services vips {{ 10.96.0.2 . tcp . 80 : goto {chain} }}\n"));
        Assert.That(plan.Text, Does.Not.Contain($"{First:N}"));
    }

    [Test]
    public void Plan_BackendChanged_FlushesAndRewritesOnlyThatChainElementsUntouched()
    {
        var sync = Synced(Lb(First, "10.96.0.1"), Lb(Second, "10.96.0.2"));
        var changed = Lb(Second, "10.96.0.2") with { HostComputeEndpoints = [Guid.Parse("00000000-0000-0000-0000-00000000000c")] };

        var plan = sync.Plan(Desired(Lb(First, "10.96.0.1"), changed));

        var chain = $"lb-{Second:N}";
        Assert.That(plan.Text, Is.EqualTo(
            $"flush chain ip wincni_services {chain}\n" +
            $"add rule ip wincni_services {chain} tcp dport 80 dnat to 10.244.3.5:8080\n"));
        Assert.That((plan.Added, plan.Changed, plan.Removed), Is.EqualTo((0, 1, 0)));
    }

    [Test]
    public void Plan_VipChanged_ElementDiffOnlyChainKept()
    {
        var sync = Synced(Lb(First, "10.96.0.1"));

        var plan = sync.Plan(Desired(Lb(First, "10.96.0.9")));

        Assert.That(plan.Text, Is.EqualTo(
            "delete element ip wincni_services vips { 10.96.0.1 . tcp . 80 }\n" +
            $"add element ip wincni_services vips {{ 10.96.0.9 . tcp . 80 : goto lb-{First:N} }}\n"));
    }

    [Test]
    public void Plan_Removed_DeletesElementsThenFlushesAndDeletesChain()
    {
        var sync = Synced(Lb(First, "10.96.0.1"), Lb(Second, "10.96.0.2"));

        var plan = sync.Plan(Desired(Lb(First, "10.96.0.1")));

        var chain = $"lb-{Second:N}";
        Assert.That(plan.Text, Is.EqualTo(
            "delete element ip wincni_services vips { 10.96.0.2 . tcp . 80 }\n" +
            $"flush chain ip wincni_services {chain}\n" +
            $"delete chain ip wincni_services {chain}\n"));
    }

    [Test]
    public void Plan_FrontendMovesBetweenLoadBalancers_DeleteBeforeAdd()
    {
        var sync = Synced(Lb(First, "10.96.0.1"));

        var plan = sync.Plan(Desired(Lb(Second, "10.96.0.1")));

        Assert.That(plan.Text.IndexOf("delete element", StringComparison.Ordinal), Is.LessThan(plan.Text.IndexOf("add element", StringComparison.Ordinal)));
        Assert.That(plan.Text, Does.Contain($"delete chain ip wincni_services lb-{First:N}"));
    }

    [Test]
    public void Plan_LastRemoved_DeletesTable()
    {
        var sync = Synced(Lb(First, "10.96.0.1"));

        var plan = sync.Plan(Desired());

        Assert.That(plan.Text, Is.EqualTo("table ip wincni_services\ndelete table ip wincni_services\n"));
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
        Assert.That(plan.Text, Does.Contain($"chain lb-{First:N} {{").And.Contain($"chain lb-{Third:N} {{"));
    }

    [Test]
    public void PlanChanges_OneOfThreeChanged_OnlyItsChainOthersUntouched()
    {
        var sync = Synced(Lb(First, "10.96.0.1"), Lb(Second, "10.96.0.2"), Lb(Third, "10.96.0.3"));
        var changed = Lb(Second, "10.96.0.2") with { HostComputeEndpoints = [Guid.Parse("00000000-0000-0000-0000-00000000000c")] };

        var plan = sync.PlanChanges(new Dictionary<Guid, LoadBalancerRendering?> { [Second] = ServiceRenderer.Render(changed, ServiceRendererTests.Address) });

        Assert.That(plan.Text, Does.Contain($"lb-{Second:N}").And.Not.Contain($"{First:N}").And.Not.Contain($"{Third:N}"));
        Assert.That(plan.Desired.Keys, Is.EquivalentTo(new[] { First, Second, Third }));
        Assert.That((plan.Added, plan.Changed, plan.Removed), Is.EqualTo((0, 1, 0)));
    }

    [Test]
    public void PlanChanges_Removed_DeletesOnlyIt()
    {
        var sync = Synced(Lb(First, "10.96.0.1"), Lb(Second, "10.96.0.2"));

        var plan = sync.PlanChanges(new Dictionary<Guid, LoadBalancerRendering?> { [Second] = null });

        Assert.That(plan.Text, Is.EqualTo(
            "delete element ip wincni_services vips { 10.96.0.2 . tcp . 80 }\n" +
            $"flush chain ip wincni_services lb-{Second:N}\n" +
            $"delete chain ip wincni_services lb-{Second:N}\n"));
        Assert.That(plan.Desired.Keys, Is.EqualTo(new[] { First }));
    }

    [Test]
    public void PlanChanges_NotTrusted_FullRender()
    {
        var sync = Synced(Lb(First, "10.96.0.1"));
        sync.Invalidate();

        var plan = sync.PlanChanges(new Dictionary<Guid, LoadBalancerRendering?> { [Second] = Desired(Lb(Second, "10.96.0.2"))[Second] });

        Assert.That(plan.Full, Is.True);
    }

    private static HostComputeLoadBalancer Lb(Guid id, string vip) => ServiceRendererTests.LoadBalancer([vip], id: id);

    private static Dictionary<Guid, LoadBalancerRendering> Desired(params HostComputeLoadBalancer[] lbs) =>
        lbs.ToDictionary(l => l.Id, l => ServiceRenderer.Render(l, ServiceRendererTests.Address)!);

    private static ServiceTableSync Synced(params HostComputeLoadBalancer[] lbs)
    {
        var sync = new ServiceTableSync();
        sync.Accept(sync.Plan(Desired(lbs)));
        return sync;
    }
}
