using System.Runtime.Versioning;
using Cni.Hcn.Model.Policies;
using Cni.Hcn.Tests.Contract;
using Cni.Hcn.Windows;

namespace Cni.Hcn.Tests.Windows;

/// <summary>
/// The IHcn contract against the real HNS of a Windows host (admin rights, the Containers feature, a host adapter).
/// Category <c>Windows</c>: excluded on other hosts with <c>--filter TestCategory!=Windows</c>; on Windows set
/// <c>WINCNI_HCN_TEST_ADAPTER</c> to the adapter the test networks bind to (default <c>Ethernet</c>).
/// </summary>
[TestFixture]
[Category("Windows")]
[Platform("Win")]
[NonParallelizable]
[SupportedOSPlatform("windows")]
public sealed class WindowsHcnContractTests : HcnContractTests
{
    protected override IReadOnlyList<NetworkPolicy> HostNetworkPolicies =>
    [
        NetworkPolicy.Create(new NetAdapterNamePolicySetting
        {
            NetworkAdapterName = Environment.GetEnvironmentVariable("WINCNI_HCN_TEST_ADAPTER") is { Length: > 0 } name ? name : "Ethernet",
        }),
    ];

    protected override IHcn CreateHcn() => new WindowsHcn();
}
