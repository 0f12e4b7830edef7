using Cni.Node.Services;

namespace Cni.Node.Tests.Services;

public sealed class LoadBalancerIdsTests
{
    private static readonly LoadBalancerKey Key = new("default/web:http/TCP/IPv4/ClusterIP");

    [Test]
    public void IdOf_SameKey_SameId()
    {
        Assert.That(LoadBalancerIds.IdOf(Key), Is.EqualTo(LoadBalancerIds.IdOf(new LoadBalancerKey("default/web:http/TCP/IPv4/ClusterIP"))));
    }

    [Test]
    public void IdOf_KnownKey_StableAcrossReleases()
    {
        // Pinned (computed independently: "wcni" + SHA-256 of the key, version and variant bits set): changing the
        // derivation would orphan every load balancer of every node on upgrade.
        Assert.That(LoadBalancerIds.IdOf(Key), Is.EqualTo(Guid.Parse("77636e69-2ae7-834f-bae8-b651e3180885")));
    }

    [Test]
    public void IdOf_OtherKey_OtherId()
    {
        Assert.That(LoadBalancerIds.IdOf(new LoadBalancerKey("default/web:http/TCP/IPv4/NodePort")), Is.Not.EqualTo(LoadBalancerIds.IdOf(Key)));
    }

    [Test]
    public void IdOf_AnyKey_TaggedVersion8RfcVariant()
    {
        var text = LoadBalancerIds.IdOf(Key).ToString();

        Assert.That(text, Does.StartWith("77636e69-"));
        Assert.That(text[14], Is.EqualTo('8'));
        Assert.That(text[19], Is.AnyOf('8', '9', 'a', 'b'));
    }

    [Test]
    public void IsOwned_OwnId_True()
    {
        Assert.That(LoadBalancerIds.IsOwned(Key.Id), Is.True);
    }

    [TestCase("00000000-0000-0000-0000-000000000000")]
    [TestCase("3f1c9a52-6d0e-4b7a-9c1d-2e5f8a7b6c4d")]
    [TestCase("77636e69-0000-4000-8000-000000000000")]
    public void IsOwned_ForeignId_False(string id)
    {
        Assert.That(LoadBalancerIds.IsOwned(Guid.Parse(id)), Is.False);
    }
}
