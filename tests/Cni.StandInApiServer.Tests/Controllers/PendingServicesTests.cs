using Cni.StandInApiServer.Controllers;

namespace Cni.StandInApiServer.Tests.Controllers;

public sealed class PendingServicesTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Test]
    public void Add_SeveralChanges_KeepsTheEarliestTriggerTime()
    {
        var pending = new PendingServices();
        pending.Add("default/web", T0.AddSeconds(2));
        pending.Add("default/web", null);
        pending.Add("default/web", T0);
        pending.Add("default/web", T0.AddSeconds(5));
        Assert.That(pending.TakeAll().Single(), Is.EqualTo(KeyValuePair.Create("default/web", (DateTimeOffset?)T0)));
        Assert.That(pending.Count, Is.Zero);
    }

    [Test]
    public void Add_RepairThenChange_TakesTheChangeTime()
    {
        var pending = new PendingServices();
        pending.Add("default/web", null);
        pending.Add("default/web", T0);
        Assert.That(pending.TakeAll().Single().Value, Is.EqualTo(T0));
    }
}
