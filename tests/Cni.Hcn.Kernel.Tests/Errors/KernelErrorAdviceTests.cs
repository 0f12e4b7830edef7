using Cni.Hcn.Errors;
using Cni.Hcn.Kernel.Namespaces;
using Cni.Hcn.Kernel.Netlink;
using Cni.Hcn.Kernel.Nftables;
using Cni.Hcn.Kernel.Tests.Support;
using Cni.Hcn.Model;

namespace Cni.Hcn.Kernel.Tests.Errors;

/// <summary>KernelHcn's failures say what happened on a Linux node, never HNS's advice about Windows event logs.</summary>
public sealed class KernelErrorAdviceTests
{
    [Test]
    public void For_SetnsEinval_NamesMountPropagation()
    {
        var advice = KernelErrorAdvice.For(new NetnsException("setns into /run/netns/p1", 22));

        Assert.That(advice.Cause, Does.Contain("not a network namespace as wincnid sees it").And.Contain("propagated"));
        Assert.That(advice.Fix, Does.Contain("mountPropagation: HostToContainer"));
    }

    [Test]
    public void For_AnyKernelFailure_NeverSpeaksOfHns()
    {
        var failures = new Exception[]
        {
            new NetnsException("setns into /x", 22), new NetnsException("open /x", 2), new NetnsException("setns into /x", 1),
            new NetlinkException("RTM_NEWLINK", 17), new NftException("nft -f", "batch"), new IOException("boom", 5),
        };

        foreach (var failure in failures)
        {
            var advice = KernelErrorAdvice.For(failure);
            Assert.That(advice.Cause + " " + advice.Fix, Does.Not.Contain("HNS").And.Not.Contain("event log").And.Not.Contain("hns service"), failure.Message);
        }
    }
}

/// <summary>The same, from KernelHcn's calls on a real kernel.</summary>
[TestFixture]
[Category("Kernel")]
[NonParallelizable]
public sealed class KernelHcnFailureMessageTests
{
    private TestNetns _netns = null!;
    private string _node = null!;
    private string _state = null!;
    private KernelHcn _hcn = null!;

    private IHcn Hcn => _hcn;

    [SetUp]
    public void SetUp()
    {
        KernelTestGuard.Require();
        _netns = new TestNetns();
        _node = _netns.Create("er-node");
        _state = Directory.CreateTempSubdirectory("wincni-kernel-err-").FullName;
        _hcn = new KernelHcn(new KernelHcnOptions { StateDirectory = _state, HostNetnsPath = _node, NetnsNamePrefix = _netns.Prefix + "k-" });
    }

    [TearDown]
    public void TearDown()
    {
        _hcn?.Dispose();
        _netns?.Dispose();
        if (_state is not null)
        {
            Directory.Delete(_state, recursive: true);
        }
    }

    [Test]
    [CancelAfter(30_000)]
    public async Task CreateEndpoint_StateDiskFull_DiskFullWithTheEnospcCause(CancellationToken cancellationToken)
    {
        var network = await NetworkAsync(cancellationToken);
        _hcn.Store.FailNextWrites(1, () => new IOException("No space left on device : '" + _state + "/memory-hcn.1.log'", 28));

        var ex = Assert.ThrowsAsync<HcnException>(() => Hcn.CreateEndpointAsync(network.Id, Endpoint("10.205.0.5"), cancellationToken));

        Assert.That(ex!.HResult, Is.EqualTo(HcnErrorCodes.DiskFull), ex.Message);
        Assert.That(ex.Message, Does.Contain("ENOSPC").And.Contain("df -h").And.Not.Contain("event log"));
    }

    [Test]
    [CancelAfter(30_000)]
    public async Task AddNamespaceEndpoint_NetnsPathIsARegularFile_SaysItIsNotANetworkNamespace(CancellationToken cancellationToken)
    {
        var network = await NetworkAsync(cancellationToken);
        var endpoint = await Hcn.CreateEndpointAsync(network.Id, Endpoint("10.205.0.6"), cancellationToken);
        var placeholder = Path.Combine(_state, "placeholder-netns");
        await File.WriteAllTextAsync(placeholder, string.Empty, cancellationToken);

        var ex = Assert.ThrowsAsync<HcnException>(async () =>
        {
            var ns = await Hcn.CreateNamespaceAsync(new HostComputeNamespace
            {
                Type = NamespaceType.Host,
                Resources = [new NamespaceResource { Type = NamespaceResourceType.Container, Data = new() { Id = placeholder } }],
            }, cancellationToken);
            await Hcn.AddNamespaceEndpointAsync(ns.Id, endpoint.Id, cancellationToken);
        });

        Assert.That(ex!.Message, Does.Contain("not a network namespace as wincnid sees it").And.Not.Contain("event log"));
    }

    private Task<HostComputeNetwork> NetworkAsync(CancellationToken cancellationToken) =>
        Hcn.CreateNetworkAsync(new HostComputeNetwork
        {
            Name = "er-" + Guid.NewGuid().ToString("N")[..6],
            Type = NetworkType.L2Bridge,
            Ipams = [new Ipam { Subnets = [new Subnet { IpAddressPrefix = "10.205.0.0/24", Routes = [new Route { NextHop = "10.205.0.1", DestinationPrefix = "0.0.0.0/0" }] }] }],
        }, cancellationToken);

    private static HostComputeEndpoint Endpoint(string ip) => new()
    {
        Name = "er-ep-" + ip,
        IpConfigurations = [new IpConfig { IpAddress = ip, PrefixLength = 24 }],
    };
}
