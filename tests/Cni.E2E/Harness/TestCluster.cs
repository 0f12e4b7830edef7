namespace Cni.E2E.Harness;

/// <summary>
/// An underlay namespace (a bridge every node's eth0 plugs into) and the nodes and pods of one test. Disposal removes
/// every namespace it made, in reverse order, also after a failure; <see cref="E2ESetUp"/> sweeps whatever a crash left.
/// </summary>
internal sealed class TestCluster : IAsyncDisposable
{
    public const string UnderlayBridge = "ul0";

    private readonly List<TestNode> _nodes = [];
    private readonly List<TestPod> _pods = [];

    private TestCluster(string underlay) => Underlay = underlay;

    /// <summary>The underlay netns (192.168.200.0/24 on its bridge's ports).</summary>
    public string Underlay { get; }

    public IReadOnlyList<TestNode> Nodes => _nodes;

    public static async Task<TestCluster> CreateAsync(CancellationToken cancellationToken)
    {
        var cluster = new TestCluster(ClusterRun.UniqueName("ul"));
        try
        {
            await Netns.CreateAsync(cluster.Underlay, cancellationToken).ConfigureAwait(false);
            await Netns.ExecCheckAsync(cluster.Underlay, ["ip", "link", "add", UnderlayBridge, "type", "bridge"], cancellationToken).ConfigureAwait(false);
            await Netns.ExecCheckAsync(cluster.Underlay, ["ip", "link", "set", UnderlayBridge, "up"], cancellationToken).ConfigureAwait(false);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Adds a node running <c>wincnid --dataplane kernel</c> (ready on return).</summary>
    public async Task<TestNode> AddNodeAsync(CancellationToken cancellationToken, string mode = "l2bridge")
    {
        var node = await TestNode.StartAsync(Underlay, _nodes.Count + 1, mode, cancellationToken).ConfigureAwait(false);
        _nodes.Add(node);
        return node;
    }

    /// <summary>Creates a pod namespace on <paramref name="node"/> and ADDs it.</summary>
    public async Task<TestPod> AddPodAsync(TestNode node, CancellationToken cancellationToken)
    {
        var pod = await TestPod.CreateAsync(node, cancellationToken).ConfigureAwait(false);
        _pods.Add(pod);
        await pod.AddAsync(cancellationToken).ConfigureAwait(false);
        return pod;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var pod in Enumerable.Reverse(_pods))
        {
            await pod.DisposeAsync().ConfigureAwait(false);
        }

        foreach (var node in Enumerable.Reverse(_nodes))
        {
            await node.DisposeAsync().ConfigureAwait(false);
        }

        await Netns.DeleteAsync(Underlay, CancellationToken.None).ConfigureAwait(false);
    }
}
