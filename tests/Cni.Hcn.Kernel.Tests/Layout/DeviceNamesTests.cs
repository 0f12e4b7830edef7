using Cni.Hcn.Kernel.Naming;

namespace Cni.Hcn.Kernel.Tests.Layout;

[TestFixture]
public sealed class DeviceNamesTests
{
    [Test]
    public void Names_AnyInput_FitIfnamsizAndAreDeterministic()
    {
        var id = Guid.NewGuid();
        string[] names = [DeviceNames.Bridge("a-very-long-network-name"), DeviceNames.Vxlan(16_777_215), DeviceNames.Vxlan(4096), DeviceNames.HostVeth(id), DeviceNames.PeerVeth(id)];

        Assert.That(names.Select(n => n.Length), Is.All.LessThanOrEqualTo(DeviceNames.MaxInterfaceName));
        Assert.That(DeviceNames.HostVeth(Guid.Parse(id.ToString())), Is.EqualTo(names[3]));
        Assert.That(DeviceNames.HostVeth(id), Is.Not.EqualTo(DeviceNames.PeerVeth(id)));
        Assert.That(DeviceNames.Vxlan(4096), Is.EqualTo("wcni-vx-4096"));
        Assert.That(DeviceNames.NetworkTable("cbr0"), Does.StartWith(DeviceNames.TablePrefix));
    }

    [Test]
    public void IsHostVethIsPeerVeth_OnlyTheirOwnShapes()
    {
        var id = Guid.NewGuid();

        Assert.That(DeviceNames.IsHostVeth(DeviceNames.HostVeth(id)), Is.True);
        Assert.That(DeviceNames.IsPeerVeth(DeviceNames.PeerVeth(id)), Is.True);
        Assert.That(DeviceNames.IsHostVeth(DeviceNames.PeerVeth(id)), Is.False);
        Assert.That(DeviceNames.IsHostVeth(DeviceNames.Bridge("cbr0")), Is.False, "wcni-br-… is a bridge");
        Assert.That(DeviceNames.IsHostVeth("wc12345"), Is.False);
        Assert.That(DeviceNames.IsHostVeth("wcXYZ4567890abc"), Is.False);
        Assert.That(DeviceNames.IsPeerVeth("eth0"), Is.False);
    }
}
