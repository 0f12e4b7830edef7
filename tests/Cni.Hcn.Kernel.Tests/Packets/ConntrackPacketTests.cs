using System.Diagnostics;
using Cni.Hcn.Kernel.Conntrack;
using Cni.Hcn.Kernel.Namespaces;
using Cni.Hcn.Kernel.Tests.Support;
using Cni.Hcn.Model;
using Cni.Hcn.Model.Policies;

namespace Cni.Hcn.Kernel.Tests.Packets;

/// <summary>
/// Stale conntrack entries with real packets (<see cref="TwoNodeDataplane"/>, node 1 only): a long-lived UDP flow
/// leaves a backend removed from its load balancer, a TCP connection's entry is left alone.
/// </summary>
[TestFixture]
[Category("Kernel")]
[NonParallelizable]
public sealed class ConntrackPacketTests
{
    private const int UdpPort = 5353;
    private const int EchoPort = 8080;
    private readonly List<IDisposable> _servers = [];
    private TwoNodeDataplane _dp = null!;
    private string _client = null!;
    private HostComputeEndpoint _a = null!;
    private HostComputeEndpoint _c = null!;

    [OneTimeSetUp]
    public async Task BuildAsync()
    {
        KernelTestGuard.Require();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var ct = timeout.Token;
        _dp = new TwoNodeDataplane();
        await _dp.BuildAsync(ct);
        var (a, aEndpoint) = await _dp.AddPodAsync(_dp.Node1, _dp.Overlay1, "o1a", "10.201.1.10", ct);
        var (c, cEndpoint) = await _dp.AddPodAsync(_dp.Node1, _dp.Overlay1, "o1c", "10.201.1.12", ct);
        (_client, _) = await _dp.AddPodAsync(_dp.Node1, _dp.Overlay1, "o1b", "10.201.1.11", ct);
        (_a, _c) = (aEndpoint, cEndpoint);
        _servers.Add(new UdpEchoServer(a, "o1a", UdpPort));
        _servers.Add(new UdpEchoServer(c, "o1c", UdpPort));
        _dp.Serve(a, "o1a", EchoPort);
        _dp.Serve(c, "o1c", EchoPort);
    }

    [OneTimeTearDown]
    public async Task TearDownAsync()
    {
        foreach (var server in _servers)
        {
            server.Dispose();
        }

        if (_dp is not null)
        {
            await _dp.DisposeAsync();
        }
    }

    [Test]
    [CancelAfter(30_000)]
    public async Task ModifyLoadBalancer_UdpFlowsBackendRemoved_NextRepliesFromRemainingBackendWithinOneSecond(CancellationToken cancellationToken)
    {
        var lb = await CreateAsync("10.96.0.60", ProtocolType.Udp, 53, UdpPort, cancellationToken);
        using var flow = new UdpFlow(_client, "10.96.0.60", 53);
        var stuck = flow.Exchange(TimeSpan.FromSeconds(2));
        Assert.That(stuck, Is.AnyOf("o1a", "o1c"));

        // One flow, one backend: conntrack keeps every datagram of it on the backend its first one was DNAT'd to.
        for (var i = 0; i < 5; i++)
        {
            Assert.That(flow.Exchange(TimeSpan.FromSeconds(1)), Is.EqualTo(stuck));
        }

        var remaining = stuck == "o1a" ? _c : _a;
        var deletedBefore = _dp.Node1.ConntrackEntriesDeleted;
        var resyncs = _dp.Node1.ServicesResyncs;
        await _dp.Node1.ModifyLoadBalancerAsync(lb.Id, lb with { HostComputeEndpoints = [remaining.Id] }, cancellationToken);

        // The client keeps sending every 50 ms, as the E2E test's client did.
        var answers = new List<string?>();
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(1) && (answers.Count == 0 || answers[^1] == stuck || answers[^1] is null))
        {
            answers.Add(flow.Exchange(TimeSpan.FromMilliseconds(50)));
            await Task.Delay(50, cancellationToken);
        }

        Assert.That(answers[^1], Is.EqualTo(stuck == "o1a" ? "o1c" : "o1a"), $"answers after the modify: {string.Join(", ", answers)}");
        Assert.That(flow.Exchange(TimeSpan.FromSeconds(1)), Is.EqualTo(answers[^1]));
        Assert.That(_dp.Node1.ConntrackEntriesDeleted, Is.GreaterThan(deletedBefore));
        Assert.That(_dp.Node1.ConntrackCleanupFailures, Is.Zero);
        Assert.That(_dp.Node1.ServicesResyncs, Is.EqualTo(resyncs));
        await _dp.Node1.DeleteLoadBalancerAsync(lb.Id, cancellationToken);
    }

    [Test]
    [CancelAfter(30_000)]
    public async Task ModifyLoadBalancer_TcpBackendRemoved_TcpEntryKept(CancellationToken cancellationToken)
    {
        // UDP on the same load balancer, so a cleanup pass does run for the change.
        var lb = await _dp.Node1.CreateLoadBalancerAsync(new HostComputeLoadBalancer
        {
            HostComputeEndpoints = [_a.Id, _c.Id],
            FrontendVips = ["10.96.0.61"],
            PortMappings =
            [
                new LoadBalancerPortMapping { Protocol = ProtocolType.Tcp, ExternalPort = 80, InternalPort = EchoPort },
                new LoadBalancerPortMapping { Protocol = ProtocolType.Udp, ExternalPort = 53, InternalPort = UdpPort },
            ],
        }, cancellationToken);
        var answer = Traffic.Tcp(_client, "10.96.0.61", 80);
        Assert.That(answer, Is.Not.Null);
        var used = answer!.StartsWith("o1a ", StringComparison.Ordinal) ? _a : _c;
        var usedAddress = System.Net.IPAddress.Parse(used.IpConfigurations![0].IpAddress!);
        using var conntrack = NetnsThread.Run(_dp.Netns.PathOf("node1"), ConntrackClient.Open);
        bool TcpEntryPresent() => conntrack.List().Any(e => e.Original.Protocol == 6 && e.Original.Destination.ToString() == "10.96.0.61"
            && e.Original.DestinationPort == 80 && e.Reply.Source.Equals(usedAddress));
        Assert.That(TcpEntryPresent(), Is.True, "the closed connection's entry (TIME_WAIT) is listed");

        var passes = _dp.Node1.Conntrack.Passes;
        await _dp.Node1.ModifyLoadBalancerAsync(lb.Id, lb with { HostComputeEndpoints = [(used == _a ? _c : _a).Id] }, cancellationToken);
        while (_dp.Node1.Conntrack.Passes == passes || _dp.Node1.Conntrack.Pending > 0)
        {
            await Task.Delay(10, cancellationToken);
        }

        Assert.That(TcpEntryPresent(), Is.True, "the TCP entry was deleted");
        Assert.That(_dp.Node1.ConntrackCleanupFailures, Is.Zero);
        await _dp.Node1.DeleteLoadBalancerAsync(lb.Id, cancellationToken);
    }

    private async Task<HostComputeLoadBalancer> CreateAsync(string vip, ProtocolType protocol, ushort port, ushort internalPort, CancellationToken cancellationToken)
    {
        var lb = await _dp.Node1.CreateLoadBalancerAsync(new HostComputeLoadBalancer
        {
            HostComputeEndpoints = [_a.Id, _c.Id],
            FrontendVips = [vip],
            PortMappings = [new LoadBalancerPortMapping { Protocol = protocol, ExternalPort = port, InternalPort = internalPort }],
        }, cancellationToken);

        // A new frontend's cleanup (its first backends) runs in the background; a flow begun before it has run could
        // be deleted by it and move, which is not what these tests look at.
        while (_dp.Node1.Conntrack.Pending > 0)
        {
            await Task.Delay(10, cancellationToken);
        }

        return lb;
    }
}
