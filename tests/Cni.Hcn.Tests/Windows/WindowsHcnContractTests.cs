using System.Runtime.Versioning;
using Cni.Hcn.Model.Policies;
using Cni.Hcn.Tests.Contract;
using Cni.Hcn.Windows;

namespace Cni.Hcn.Tests.Windows;

/// <summary>
/// The IHcn contract against the real HNS of a Windows host (admin rights, the Containers feature, a host adapter).
/// Category <c>Windows</c>: listed and skipped with the reason on other hosts; on Windows it runs with
/// WINCNI_HOST_TESTS=1 (<see cref="WindowsHostGuard"/>), and <c>WINCNI_HCN_TEST_ADAPTER</c> names the adapter the test
/// networks bind to (default <c>Ethernet</c>).
/// </summary>
[TestFixture]
[Category("Windows")]
[NonParallelizable]
[SupportedOSPlatform("windows")]
public sealed class WindowsHcnContractTests : HcnContractTests
{
    [OneTimeSetUp]
    public void RequireHost() => WindowsHostGuard.Require();

    protected override IReadOnlyList<NetworkPolicy> HostNetworkPolicies =>
    [
        NetworkPolicy.Create(new NetAdapterNamePolicySetting
        {
            NetworkAdapterName = Environment.GetEnvironmentVariable("WINCNI_HCN_TEST_ADAPTER") is { Length: > 0 } name ? name : "Ethernet",
        }),
    ];

    protected override IHcn CreateHcn() => new WindowsHcn();
}
