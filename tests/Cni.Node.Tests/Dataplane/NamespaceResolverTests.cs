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
    [Platform("Linux")]
    public void KernelResolveForAttachAsync_NetnsIsARegularFile_Code4NamingMountPropagationAndNothingMade()
    {
        // What wincnid sees when the runtime's /run/netns bind mount did not propagate into its mount namespace.
        var placeholder = Path.Combine(Path.GetTempPath(), "wincni-netns-placeholder-" + Guid.NewGuid().ToString("N"));
        File.WriteAllText(placeholder, string.Empty);
        try
        {
            var hcn = new MemoryHcn();
            var resolver = new KernelNamespaceResolver(hcn);

            var ex = Assert.ThrowsAsync<CniException>(() => resolver.ResolveForAttachAsync(NetnsReference.Classify(placeholder), CancellationToken.None));

            Assert.That(ex!.Error.Code, Is.EqualTo(CniErrorCode.InvalidEnvironmentVariables));
            Assert.That(ex.Error.Msg, Is.EqualTo($"CNI_NETNS: '{placeholder}' is not a network namespace as wincnid sees it (an empty regular file); is {Path.GetTempPath().TrimEnd('/')} propagated into wincnid's mount namespace?"));
            Assert.That(ex.Error.Details, Does.Contain("mountPropagation"));
            Assert.That(hcn.GetCallCount(MemoryHcnOperation.CreateNamespace), Is.Zero);
        }
        finally
        {
            File.Delete(placeholder);
        }
    }

    [Test]
    [Platform("Linux")]
    public async Task KernelResolveForAttachAsync_RealNetworkNamespace_Resolves()
    {
        var resolver = new KernelNamespaceResolver(new MemoryHcn());

        var resolved = await resolver.ResolveForAttachAsync(NetnsReference.Classify("/proc/self/ns/net"), CancellationToken.None);

        Assert.That(resolved.Created, Is.True);
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
