using Cni.Node.Ipam;

namespace Cni.Node.Tests.Ipam;

public sealed class LeaseKeyTests
{
    private static readonly object[] BadKeys =
    [
        new object?[] { null, "eth0", "containerId" },
        new object?[] { "", "eth0", "containerId" },
        new object?[] { "-abc", "eth0", "containerId" },
        new object?[] { "abc def", "eth0", "containerId" },
        new object?[] { "abc/def", "eth0", "containerId" },
        new object?[] { "abc\0", "eth0", "containerId" },
        new object?[] { new string('a', 1025), "eth0", "containerId" },
        new object?[] { "abc", null, "ifName" },
        new object?[] { "abc", "", "ifName" },
        new object?[] { "abc", ".", "ifName" },
        new object?[] { "abc", "..", "ifName" },
        new object?[] { "abc", "eth/0", "ifName" },
        new object?[] { "abc", "eth:0", "ifName" },
        new object?[] { "abc", "eth 0", "ifName" },
        new object?[] { "abc", "eth\t0", "ifName" },
        new object?[] { "abc", "abcdefghijklmnop", "ifName" },
    ];

    private static readonly object[] BadOwners =
    [
        new object?[] { null, null, null, null, "networkName" },
        new object?[] { "", null, null, null, "networkName" },
        new object?[] { "my net", null, null, null, "networkName" },
        new object?[] { "_net", null, null, null, "networkName" },
        new object?[] { new string('n', 256), null, null, null, "networkName" },
        new object?[] { "wincni", "/run/netns/x\n", null, null, "netns" },
        new object?[] { "wincni", new string('p', 4097), null, null, "netns" },
        new object?[] { "wincni", null, new string('s', 254), null, "podNamespace" },
        new object?[] { "wincni", null, null, "pod\u0001", "podName" },
    ];

    [TestCaseSource(nameof(BadKeys))]
    public void Constructor_InvalidField_ThrowsNamingField(string? containerId, string? ifName, string field)
    {
        var ex = Assert.Throws<ArgumentException>(() => _ = new LeaseKey(containerId!, ifName!));

        Assert.That(ex!.ParamName, Is.EqualTo(field));
        Assert.That(ex.Message, Does.StartWith(field + ": "));
    }

    [TestCase("a", "e")]
    [TestCase("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "eth0")]
    [TestCase("pod_1.sandbox-2", "vEthernet15abcd")]
    public void Constructor_ValidValues_Succeeds(string containerId, string ifName)
    {
        var key = new LeaseKey(containerId, ifName);

        Assert.That(key, Is.EqualTo(new LeaseKey(containerId, ifName)));
        Assert.That(key.ToString(), Is.EqualTo($"{containerId}/{ifName}"));
    }

    [TestCaseSource(nameof(BadOwners))]
    public void LeaseOwner_InvalidField_ThrowsNamingField(string? network, string? netns, string? podNamespace, string? podName, string field)
    {
        var ex = Assert.Throws<ArgumentException>(() => _ = new LeaseOwner(network!, netns, podNamespace, podName));

        Assert.That(ex!.ParamName, Is.EqualTo(field));
        Assert.That(ex.Message, Does.StartWith(field + ": "));
    }

    [Test]
    public void LeaseOwner_EmptyOptionalFields_BecomeNull()
    {
        var owner = new LeaseOwner("wincni", "", "", "");

        Assert.That(owner.Netns, Is.Null);
        Assert.That(owner.PodNamespace, Is.Null);
        Assert.That(owner.PodName, Is.Null);
    }
}
