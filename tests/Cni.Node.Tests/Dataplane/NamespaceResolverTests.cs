using Cni.Hcn.Memory;
using Cni.Node.Dataplane;
using Cni.Spec;

namespace Cni.Node.Tests.Dataplane;

public sealed class NamespaceResolverTests
{
    [Test]
    public void IdForPath_SamePathSameIdOtherPathOtherId()
    {
        var a = NetnsPathNamespaceResolver.IdForPath("/var/run/netns/a");

        Assert.That(NetnsPathNamespaceResolver.IdForPath("/var/run/netns/a"), Is.EqualTo(a));
        Assert.That(NetnsPathNamespaceResolver.IdForPath("/var/run/netns/b"), Is.Not.EqualTo(a));
        Assert.That(a.ToString()[14], Is.EqualTo('8'));
    }

    [Test]
    public async Task ResolveForAttachAsync_PathTwice_CreatesOnce()
    {
        var hcn = new MemoryHcn();
        var resolver = new NetnsPathNamespaceResolver(hcn);
        var netns = NetnsReference.Classify("/var/run/netns/x");

        var first = await resolver.ResolveForAttachAsync(netns, CancellationToken.None);
        var second = await resolver.ResolveForAttachAsync(netns, CancellationToken.None);

        Assert.That(first.Created, Is.True);
        Assert.That(second, Is.EqualTo(first with { Created = false }));
        Assert.That(hcn.GetCallCount(MemoryHcnOperation.CreateNamespace), Is.EqualTo(1));
    }

    [Test]
    public async Task FindAsync_UnknownPath_Null()
    {
        var resolver = new NetnsPathNamespaceResolver(new MemoryHcn());

        Assert.That(await resolver.FindAsync(NetnsReference.Classify("/var/run/netns/none"), CancellationToken.None), Is.Null);
        Assert.That(await resolver.FindAsync(NetnsReference.Classify(""), CancellationToken.None), Is.Null);
    }

    [Test]
    public async Task HcnNamespaceResolver_Guid_NoHcnCall()
    {
        var id = Guid.NewGuid();

        var resolved = await new HcnNamespaceResolver().ResolveForAttachAsync(NetnsReference.Classify(id.ToString().ToUpperInvariant()), CancellationToken.None);

        Assert.That(resolved, Is.EqualTo(new ResolvedNamespace(id, false)));
    }

    [TestCase("/var/run/netns/x")]
    [TestCase("none")]
    [TestCase("container:abc")]
    public void HcnNamespaceResolver_NotAGuid_Code4NamingCniNetns(string netns)
    {
        var ex = Assert.ThrowsAsync<CniException>(() => new HcnNamespaceResolver().ResolveForAttachAsync(NetnsReference.Classify(netns), CancellationToken.None));

        Assert.That(ex!.Code, Is.EqualTo(CniErrorCode.InvalidEnvironmentVariables));
        Assert.That(ex.Message, Does.StartWith("CNI_NETNS: "));
    }
}
