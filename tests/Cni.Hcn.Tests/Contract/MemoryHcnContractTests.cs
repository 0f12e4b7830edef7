using Cni.Hcn.Memory;

namespace Cni.Hcn.Tests.Contract;

/// <summary>The IHcn contract on the in-process emulator.</summary>
[TestFixture]
public sealed class MemoryHcnContractTests : HcnContractTests
{
    protected override IHcn CreateHcn() => new MemoryHcn();
}
