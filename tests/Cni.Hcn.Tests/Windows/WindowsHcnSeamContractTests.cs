using Cni.Hcn.Memory;
using Cni.Hcn.Tests.Contract;
using Cni.Hcn.Windows;

namespace Cni.Hcn.Tests.Windows;

/// <summary>
/// The IHcn contract on <see cref="WindowsHcn"/> over an emulated computenetwork.dll (<see cref="MemoryBackedNativeApi"/>):
/// proves WindowsHcn's JSON, call sequences and error mapping on any OS, and that no handle or buffer leaks.
/// </summary>
[TestFixture]
public sealed class WindowsHcnSeamContractTests : HcnContractTests
{
    private MemoryBackedNativeApi? _api;

    [TearDown]
    public void NoLeaks()
    {
        Assert.That(_api!.OpenHandles, Is.Zero, "handles left open");
        Assert.That(_api.OutstandingBuffers, Is.Zero, "CoTaskMem buffers not freed");
    }

    protected override IHcn CreateHcn()
    {
        _api = new MemoryBackedNativeApi(new MemoryHcn());
        return new WindowsHcn(_api);
    }
}
