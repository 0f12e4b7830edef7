using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Cni.Hcn.HostRouting;

namespace Cni.Hcn.Tests.HostRouting;

/// <summary>
/// The behaviours every <see cref="IHostRouting"/> must show, written only against the interface so that
/// <see cref="MemoryHostRouting"/>, <c>IpHelperHostRouting</c> over an emulated iphlpapi.dll, <c>NetlinkHostRouting</c>
/// in a test namespace, and <c>IpHelperHostRouting</c> on a real Windows host run the same suite. Every test routes its
/// own prefix out of 198.18.0.0/15 (RFC 2544, never routed), via a next hop on the environment's test interface, and
/// deletes what it added.
/// </summary>
public abstract class HostRoutingContractTests
{
    private const int TestTimeoutMs = 60_000;

    private static int s_prefixCounter;

    private readonly List<HostRoute> _added = [];

    /// <summary>The implementation under test.</summary>
    protected IHostRouting Routing { get; private set; } = null!;

    /// <summary>The interface the tests route out of: its index, an address it holds, a next hop on its subnet.</summary>
    protected TestInterface Interface { get; private set; } = null!;

    /// <summary>Creates the implementation and the test interface (once per test).</summary>
    protected abstract Task<(IHostRouting Routing, TestInterface Interface)> CreateAsync(CancellationToken cancellationToken);

    /// <summary>An interface index no interface has.</summary>
    protected virtual int UnknownInterfaceIndex => 987_654;

    [SetUp]
    public async Task CreateImplementationAsync()
    {
        using var timeout = new CancellationTokenSource(TestTimeoutMs);
        (Routing, Interface) = await CreateAsync(timeout.Token).ConfigureAwait(false);
        _added.Clear();
    }

    [TearDown]
    public async Task RemoveAddedRoutesAsync()
    {
        using var timeout = new CancellationTokenSource(TestTimeoutMs);
        foreach (var route in _added)
        {
            try
            {
                await Routing.DeleteRouteAsync(route, timeout.Token).ConfigureAwait(false);
            }
            catch (HostRoutingException)
            {
                // Best effort: the interface may be gone with its routes.
            }
        }

        if (Routing is IDisposable disposable)
        {
            disposable.Dispose();
        }
    }

    [Test]
    [CancelAfter(TestTimeoutMs)]
    public async Task FindInterfaceIndexAsync_AnAddressOfTheInterface_ItsIndex(CancellationToken cancellationToken)
    {
        var index = await Routing.FindInterfaceIndexAsync(Interface.Address, cancellationToken);

        Assert.That(index, Is.EqualTo(Interface.Index));
    }

    [Test]
    [CancelAfter(TestTimeoutMs)]
    public async Task FindInterfaceIndexAsync_AnAddressNoInterfaceHolds_Null(CancellationToken cancellationToken)
    {
        var index = await Routing.FindInterfaceIndexAsync(IPAddress.Parse("203.0.113.254"), cancellationToken);

        Assert.That(index, Is.Null);
    }

    [Test]
    [CancelAfter(TestTimeoutMs)]
    public async Task AddRouteAsync_ThenList_ListedWithItsNextHopAndInterface(CancellationToken cancellationToken)
    {
        var route = NewRoute();

        await AddAsync(route, cancellationToken);
        var listed = await Routing.ListRoutesAsync(AddressFamily.InterNetwork, cancellationToken);

        Assert.That(listed.Where(r => r.SameRoute(route)).ToList(), Has.Count.EqualTo(1), () => "routes: " + string.Join("; ", listed));
    }

    [Test]
    [CancelAfter(TestTimeoutMs)]
    public async Task AddRouteAsync_WithMetric_ListedWithThatMetric(CancellationToken cancellationToken)
    {
        var route = NewRoute() with { Metric = 300 };

        await AddAsync(route, cancellationToken);
        var listed = (await Routing.ListRoutesAsync(AddressFamily.InterNetwork, cancellationToken)).Single(r => r.SameRoute(route));

        Assert.That(listed.Metric, Is.EqualTo(300u));
    }

    [Test]
    [CancelAfter(TestTimeoutMs)]
    public async Task AddRouteAsync_SameRouteTwice_AlreadyExists(CancellationToken cancellationToken)
    {
        var route = NewRoute();
        await AddAsync(route, cancellationToken);

        var ex = Assert.ThrowsAsync<HostRoutingException>(() => Routing.AddRouteAsync(route, cancellationToken));

        Assert.That(ex!.Kind, Is.EqualTo(HostRoutingErrorKind.AlreadyExists), ex.Message);
    }

    [Test]
    [CancelAfter(TestTimeoutMs)]
    public async Task AddRouteAsync_UnknownInterface_InterfaceNotFound(CancellationToken cancellationToken)
    {
        var route = NewRoute() with { InterfaceIndex = UnknownInterfaceIndex };

        var ex = Assert.ThrowsAsync<HostRoutingException>(() => AddAsync(route, cancellationToken));

        Assert.That(ex!.Kind, Is.EqualTo(HostRoutingErrorKind.InterfaceNotFound), ex.Message);
        await Task.CompletedTask;
    }

    [Test]
    [CancelAfter(TestTimeoutMs)]
    public async Task DeleteRouteAsync_Existing_TrueAndNoLongerListed(CancellationToken cancellationToken)
    {
        var route = NewRoute();
        await AddAsync(route, cancellationToken);

        var deleted = await Routing.DeleteRouteAsync(route, cancellationToken);
        var listed = await Routing.ListRoutesAsync(AddressFamily.InterNetwork, cancellationToken);

        Assert.That(deleted, Is.True);
        Assert.That(listed.Any(r => r.SameRoute(route)), Is.False);
    }

    [Test]
    [CancelAfter(TestTimeoutMs)]
    public async Task DeleteRouteAsync_Missing_False(CancellationToken cancellationToken)
    {
        var deleted = await Routing.DeleteRouteAsync(NewRoute(), cancellationToken);

        Assert.That(deleted, Is.False);
    }

    [Test]
    [CancelAfter(TestTimeoutMs)]
    public async Task DeleteRouteAsync_OtherNextHop_FalseAndTheRouteStays(CancellationToken cancellationToken)
    {
        var route = NewRoute();
        await AddAsync(route, cancellationToken);

        var deleted = await Routing.DeleteRouteAsync(route with { NextHop = Interface.OtherNextHop }, cancellationToken);
        var listed = await Routing.ListRoutesAsync(AddressFamily.InterNetwork, cancellationToken);

        Assert.That(deleted, Is.False);
        Assert.That(listed.Any(r => r.SameRoute(route)), Is.True);
    }

    [Test]
    [CancelAfter(TestTimeoutMs)]
    public async Task ListRoutesAsync_OtherFamily_DoesNotListAnIPv4Route(CancellationToken cancellationToken)
    {
        var route = NewRoute();
        await AddAsync(route, cancellationToken);

        var listed = await Routing.ListRoutesAsync(AddressFamily.InterNetworkV6, cancellationToken);

        Assert.That(listed.Any(r => r.Destination.Equals(route.Destination)), Is.False);
        Assert.That(listed.All(r => r.Family == AddressFamily.InterNetworkV6), Is.True);
    }

    [Test]
    [CancelAfter(TestTimeoutMs)]
    public async Task SetForwardingAsync_OnThenOff_ReadBackEachTime(CancellationToken cancellationToken)
    {
        var before = await Routing.GetForwardingAsync(Interface.Index, AddressFamily.InterNetwork, cancellationToken);
        try
        {
            await Routing.SetForwardingAsync(Interface.Index, AddressFamily.InterNetwork, true, cancellationToken);
            var on = await Routing.GetForwardingAsync(Interface.Index, AddressFamily.InterNetwork, cancellationToken);
            await Routing.SetForwardingAsync(Interface.Index, AddressFamily.InterNetwork, false, cancellationToken);
            var off = await Routing.GetForwardingAsync(Interface.Index, AddressFamily.InterNetwork, cancellationToken);

            Assert.That((on, off), Is.EqualTo((true, false)));
        }
        finally
        {
            await Routing.SetForwardingAsync(Interface.Index, AddressFamily.InterNetwork, before, CancellationToken.None);
        }
    }

    [Test]
    [CancelAfter(TestTimeoutMs)]
    public async Task SetForwardingAsync_Twice_StaysOn(CancellationToken cancellationToken)
    {
        var before = await Routing.GetForwardingAsync(Interface.Index, AddressFamily.InterNetwork, cancellationToken);
        try
        {
            await Routing.SetForwardingAsync(Interface.Index, AddressFamily.InterNetwork, true, cancellationToken);
            await Routing.SetForwardingAsync(Interface.Index, AddressFamily.InterNetwork, true, cancellationToken);

            Assert.That(await Routing.GetForwardingAsync(Interface.Index, AddressFamily.InterNetwork, cancellationToken), Is.True);
        }
        finally
        {
            await Routing.SetForwardingAsync(Interface.Index, AddressFamily.InterNetwork, before, CancellationToken.None);
        }
    }

    [Test]
    [CancelAfter(TestTimeoutMs)]
    public async Task GetForwardingAsync_UnknownInterface_InterfaceNotFound(CancellationToken cancellationToken)
    {
        var ex = Assert.ThrowsAsync<HostRoutingException>(() => Routing.GetForwardingAsync(UnknownInterfaceIndex, AddressFamily.InterNetwork, cancellationToken));

        Assert.That(ex!.Kind, Is.EqualTo(HostRoutingErrorKind.InterfaceNotFound), ex.Message);
        await Task.CompletedTask;
    }

    [Test]
    [CancelAfter(TestTimeoutMs)]
    public async Task SetForwardingAsync_UnknownInterface_InterfaceNotFound(CancellationToken cancellationToken)
    {
        var ex = Assert.ThrowsAsync<HostRoutingException>(() => Routing.SetForwardingAsync(UnknownInterfaceIndex, AddressFamily.InterNetwork, true, cancellationToken));

        Assert.That(ex!.Kind, Is.EqualTo(HostRoutingErrorKind.InterfaceNotFound), ex.Message);
        await Task.CompletedTask;
    }

    [Test]
    [CancelAfter(TestTimeoutMs)]
    public async Task Calls_Cancelled_ThrowBeforeChangingAnything(CancellationToken cancellationToken)
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        var route = NewRoute();

        Assert.CatchAsync<OperationCanceledException>(() => Routing.AddRouteAsync(route, cancelled.Token));
        var listed = await Routing.ListRoutesAsync(AddressFamily.InterNetwork, cancellationToken);

        Assert.That(listed.Any(r => r.SameRoute(route)), Is.False);
    }

    /// <summary>A fresh /24 out of 198.18.0.0/15 via the interface's next hop.</summary>
    protected HostRoute NewRoute()
    {
        var n = Interlocked.Increment(ref s_prefixCounter);
        var prefix = IPNetwork.Parse(string.Create(CultureInfo.InvariantCulture, $"198.{18 + ((n / 250) % 2)}.{n % 250}.0/24"));
        return new HostRoute(prefix, Interface.NextHop, Interface.Index);
    }

    private async Task AddAsync(HostRoute route, CancellationToken cancellationToken)
    {
        await Routing.AddRouteAsync(route, cancellationToken).ConfigureAwait(false);
        _added.Add(route);
    }

    /// <summary>The interface a realization's tests route out of.</summary>
    /// <param name="Index">Its index.</param>
    /// <param name="Address">An address it holds.</param>
    /// <param name="NextHop">A next hop on its subnet.</param>
    /// <param name="OtherNextHop">Another next hop on its subnet.</param>
    public sealed record TestInterface(int Index, IPAddress Address, IPAddress NextHop, IPAddress OtherNextHop);
}
