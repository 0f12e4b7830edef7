using Cni.Hcn.Kernel.Tests.Support;
using Cni.Hcn.Tests.Contract;

namespace Cni.Hcn.Kernel.Tests.Contract;

/// <summary>
/// The IHcn contract suite, unchanged, against KernelHcn. The "node" is a namespace this fixture creates; each test
/// gets a fresh KernelHcn with its own state directory working inside it, and namespaces KernelHcn creates carry the
/// run prefix so the teardown sweep removes them too.
/// </summary>
[TestFixture]
[Category("Kernel")]
[NonParallelizable]
public sealed class KernelHcnContractTests : HcnContractTests
{
    private TestNetns _netns = null!;
    private string _node = null!;
    private string _stateRoot = null!;

    [OneTimeSetUp]
    public void CreateNode()
    {
        KernelTestGuard.Require();
        _netns = new TestNetns();
        _node = _netns.Create("ct-node");
        _stateRoot = Directory.CreateTempSubdirectory("wincni-kernel-ct-").FullName;
    }

    [OneTimeTearDown]
    public void RemoveNode()
    {
        _netns?.Dispose();
        if (_stateRoot is not null && Directory.Exists(_stateRoot))
        {
            Directory.Delete(_stateRoot, recursive: true);
        }
    }

    protected override IHcn CreateHcn() => new KernelHcn(new KernelHcnOptions
    {
        StateDirectory = Path.Combine(_stateRoot, Guid.NewGuid().ToString("N")),
        HostNetnsPath = _node,
        NetnsNamePrefix = _netns.Prefix + "k-",
    });
}
