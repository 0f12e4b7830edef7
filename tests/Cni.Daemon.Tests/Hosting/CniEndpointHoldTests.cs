using System.Diagnostics.Metrics;
using System.Net;
using System.Text;
using Cni.Daemon.Hosting;
using Cni.Daemon.Metrics;
using Cni.Hcn.Memory;
using Cni.Hcn.Model;
using Cni.Node.Concurrency;
using Cni.Node.Configuration;
using Cni.Node.Dataplane;
using Cni.Node.Ipam;
using Cni.Node.Networks;
using Cni.Node.Pods;
using Cni.Spec;
using Cni.Spec.Wire;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Cni.Daemon.Tests.Hosting;

/// <summary>
/// A request that arrives while wincnid starts is held until the node network is ready, and answered with the reason
/// shortly before the plugin would give up when it never gets ready (virtual time).
/// </summary>
public sealed class CniEndpointHoldTests
{
    [Test]
    [CancelAfter(10_000)]
    public async Task HandleAsync_AddBeforeTheNetworkIsEnsured_HeldUntilReadyThenServed(CancellationToken cancellationToken)
    {
        await using var node = await Node.StartAsync();
        var context = node.Request("ADD", pluginWaitsMilliseconds: 60_000);

        var handling = node.Endpoint.HandleAsync(context);
        node.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.That(handling.IsCompleted, Is.False, "held while the network is not ensured");

        await node.Network.EnsureAsync(cancellationToken);
        while (!handling.IsCompleted)
        {
            node.Time.Advance(TimeSpan.FromMilliseconds(10));
            await Task.Yield();
        }

        await handling;
        Assert.That(context.Response.StatusCode, Is.EqualTo(StatusCodes.Status200OK), Node.Body(context));
        Assert.That(CniJson.ParseResult(Node.BodyBytes(context), "1.1.0").Ips, Has.Count.EqualTo(1));
    }

    [Test]
    [CancelAfter(10_000)]
    public async Task HandleAsync_AddNeverReady_Code11WithTheReasonBeforeThePluginGivesUp(CancellationToken cancellationToken)
    {
        await using var node = await Node.StartAsync();
        var context = node.Request("ADD", pluginWaitsMilliseconds: 2_000);

        var handling = node.Endpoint.HandleAsync(context);
        node.Time.Advance(TimeSpan.FromMilliseconds(1_700));
        Assert.That(handling.IsCompleted, Is.False, "held up to the plugin's time less a margin");
        node.Time.Advance(TimeSpan.FromMilliseconds(100));
        await handling.WaitAsync(cancellationToken);

        var error = CniJson.ParseError(Node.BodyBytes(context));
        Assert.That(error.Code, Is.EqualTo(CniErrorCode.TryAgainLater));
        Assert.That(error.Msg, Does.StartWith("wincnid is not ready: ").And.Contain("wincnid is starting"));
        Assert.That(error.Details, Does.Contain("waited 1.8 s"));
    }

    [Test]
    [CancelAfter(10_000)]
    public async Task HandleAsync_StatusAfterTheFirstVerdict_AnsweredAtOnceEvenWhenNotReady(CancellationToken cancellationToken)
    {
        await using var node = await Node.StartAsync(nodeKnowsItsPodCidrs: false);
        await node.Network.EnsureAsync(cancellationToken);
        Assert.That(node.Network.IsReady, Is.False, "no pod CIDR: not ready, for a reason that stays");
        var context = node.Request("STATUS", pluginWaitsMilliseconds: 10_000);

        await node.Endpoint.HandleAsync(context).WaitAsync(cancellationToken);

        Assert.That(CniJson.ParseError(Node.BodyBytes(context)).Code, Is.EqualTo(CniErrorCode.PluginNotAvailable));
    }

    [Test]
    [CancelAfter(10_000)]
    public async Task HandleAsync_DelWhileStarting_NotHeld(CancellationToken cancellationToken)
    {
        await using var node = await Node.StartAsync();
        var context = node.Request("DEL", pluginWaitsMilliseconds: 60_000);

        await node.Endpoint.HandleAsync(context).WaitAsync(cancellationToken);

        Assert.That(context.Response.StatusCode, Is.EqualTo(StatusCodes.Status200OK), Node.Body(context));
    }

    [Test]
    [CancelAfter(10_000)]
    public async Task HandleAsync_WincnidStopsWhileHolding_ConnectionDroppedWithoutAnswer(CancellationToken cancellationToken)
    {
        await using var node = await Node.StartAsync();
        var context = node.Request("ADD", pluginWaitsMilliseconds: 60_000);

        var handling = node.Endpoint.HandleAsync(context);
        await node.Stopping.CancelAsync();
        await handling.WaitAsync(cancellationToken);

        Assert.That(node.Aborted(context), Is.True, "the plugin sees the connection drop and asks again");
        Assert.That(Node.BodyBytes(context), Is.Empty);
    }

    [TestCase(null, 55_000)]
    [TestCase("60000", 55_000)]
    [TestCase("10000", 9_500)]
    [TestCase("1000", 900)]
    [TestCase("garbage", 55_000)]
    public void Budget_PluginsRemainingTime_AnswerBeforeItAndNeverPastTheDaemonsDeadline(string? header, int expectedMilliseconds)
    {
        var request = new DefaultHttpContext().Request;
        if (header is not null)
        {
            request.Headers[DaemonProtocol.TimeoutHeader] = header;
        }

        Assert.That(ReadinessHold.Budget(request, TimeSpan.FromSeconds(55)), Is.EqualTo(TimeSpan.FromMilliseconds(expectedMilliseconds)));
    }

    /// <summary>A node whose network has not been ensured yet (as at start), with the endpoint in front of it.</summary>
    private sealed class Node : IAsyncDisposable
    {
        private readonly string _stateDir;
        private readonly IpamStore _ipam;
        private readonly ServiceProvider _services;
        private readonly Dictionary<HttpContext, LifetimeFeature> _lifetimes = [];

        private Node(string stateDir, IpamStore ipam, MemoryHcn hcn, PodNetwork network, ServiceProvider services, CniEndpoint endpoint, FakeTimeProvider time, CancellationTokenSource stopping)
        {
            _stateDir = stateDir;
            _ipam = ipam;
            _services = services;
            Hcn = hcn;
            Network = network;
            Endpoint = endpoint;
            Time = time;
            Stopping = stopping;
        }

        public MemoryHcn Hcn { get; }

        public PodNetwork Network { get; }

        public CniEndpoint Endpoint { get; }

        public FakeTimeProvider Time { get; }

        public CancellationTokenSource Stopping { get; }

        public static async Task<Node> StartAsync(bool nodeKnowsItsPodCidrs = true)
        {
            var stateDir = Directory.CreateTempSubdirectory("wincni-hold-test-").FullName;
            string[] cidrs = ["10.244.1.0/24"];
            var options = new NodeOptions
            {
                Mode = NetworkMode.Overlay,
                NetworkName = "wincni",
                ClusterCidrs = [IPNetwork.Parse("10.244.0.0/16")],
                ServiceCidrs = [IPNetwork.Parse("10.96.0.0/12")],
                PodCidrs = [.. cidrs.Select(IPNetwork.Parse)],
                NodeIp = IPAddress.Parse("192.0.2.10"),
                StateDir = stateDir,
            };
            IpamStore ipam;
            try
            {
                ipam = await IpamStore.OpenAsync(
                    new IpamOptions { StateDirectory = stateDir, Mode = options.Mode, PodCidrs = cidrs },
                    TimeProvider.System,
                    NullLoggerFactory.Instance,
                    CancellationToken.None);
            }
            catch
            {
                Directory.Delete(stateDir, recursive: true);
                throw;
            }

            var hcn = new MemoryHcn();
            var locks = new KeyedAsyncLock<LeaseKey>();
            var nodeSource = new StaticNodeAddressingSource(nodeKnowsItsPodCidrs ? options : options with { PodCidrs = [] });
            var network = new PodNetwork(hcn, ipam, nodeSource, options, locks, TimeProvider.System, NullLogger<PodNetwork>.Instance);
            var handler = new CniCommandHandler(hcn, ipam, network, new NetnsPathNamespaceResolver(hcn), options, locks, NullLogger<CniCommandHandler>.Instance);
            var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
            var time = new FakeTimeProvider();
            var stopping = new CancellationTokenSource();
            var endpoint = new CniEndpoint(
                handler,
                new ReadinessHold(network, time),
                new CniRequestMetrics(services.GetRequiredService<IMeterFactory>()),
                NullLogger<CniEndpoint>.Instance,
                TimeSpan.FromSeconds(55),
                stopping.Token);
            return new Node(stateDir, ipam, hcn, network, services, endpoint, time, stopping);
        }

        /// <summary>A request on the CNI socket, as the plugin sends it, for a fresh pod with its own namespace.</summary>
        public DefaultHttpContext Request(string command, int pluginWaitsMilliseconds)
        {
            var ns = Hcn.CreateNamespaceAsync(new HostComputeNamespace { Type = NamespaceType.Host }, CancellationToken.None).GetAwaiter().GetResult();
            var context = new DefaultHttpContext();
            var lifetime = new LifetimeFeature();
            context.Features.Set<IHttpRequestLifetimeFeature>(lifetime);
            _lifetimes[context] = lifetime;
            context.Request.Headers[DaemonProtocol.TimeoutHeader] = pluginWaitsMilliseconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            context.Request.Body = new MemoryStream(Encoding.UTF8.GetBytes(
                "{\"command\":\"" + command + "\",\"containerId\":\"c1\",\"netns\":\"" + ns.Id + "\",\"ifName\":\"eth0\",\"args\":\"\",\"path\":\"/opt/cni/bin\"," +
                "\"config\":{\"cniVersion\":\"1.1.0\",\"name\":\"wincni\",\"type\":\"wincni\"}}"));
            context.Response.Body = new MemoryStream();
            return context;
        }

        public bool Aborted(HttpContext context) => _lifetimes[context].WasAborted;

        public static byte[] BodyBytes(HttpContext context) => ((MemoryStream)context.Response.Body).ToArray();

        public static string Body(HttpContext context) => Encoding.UTF8.GetString(BodyBytes(context));

        public async ValueTask DisposeAsync()
        {
            Stopping.Dispose();
            await _services.DisposeAsync();
            await _ipam.DisposeAsync();
            Hcn.Dispose();
            Directory.Delete(_stateDir, recursive: true);
        }
    }

    /// <summary>The request's lifetime as Kestrel gives it: Abort cancels RequestAborted.</summary>
    private sealed class LifetimeFeature : IHttpRequestLifetimeFeature
    {
        private readonly CancellationTokenSource _aborted = new();

        public CancellationToken RequestAborted
        {
            get => _aborted.Token;
            set => throw new NotSupportedException();
        }

        public bool WasAborted { get; private set; }

        public void Abort()
        {
            WasAborted = true;
            _aborted.Cancel();
        }
    }
}
