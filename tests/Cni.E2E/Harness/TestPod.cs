using System.Diagnostics;
using System.Text.Json;

namespace Cni.E2E.Harness;

/// <summary>A pod: a network namespace, and <c>wincni</c> ADD/DEL exactly as a runtime calls it (env + netconf on stdin).</summary>
internal sealed class TestPod : IAsyncDisposable
{
    private readonly List<Process> _servers = [];

    private TestPod(TestNode node, string name)
    {
        Node = node;
        Name = name;
    }

    public TestNode Node { get; }

    /// <summary>The pod's netns name; also its CNI_CONTAINERID.</summary>
    public string Name { get; }

    public string ContainerId => Name;

    public string NetnsPath => Netns.PathOf(Name);

    /// <summary>The address ADD returned (without prefix), or null before ADD.</summary>
    public string? Address { get; private set; }

    /// <summary>The gateway ADD returned.</summary>
    public string? Gateway { get; private set; }

    /// <summary>Creates the pod's namespace (no network yet).</summary>
    public static async Task<TestPod> CreateAsync(TestNode node, CancellationToken cancellationToken)
    {
        var pod = new TestPod(node, ClusterRun.UniqueName("p"));
        await Netns.CreateAsync(pod.Name, cancellationToken).ConfigureAwait(false);
        return pod;
    }

    /// <summary>CNI ADD through the published wincni; fails the test with the plugin's error.</summary>
    public async Task AddAsync(CancellationToken cancellationToken)
    {
        var result = await InvokeAsync("ADD", cancellationToken).ConfigureAwait(false);
        Assert.That(result.ExitCode, Is.Zero, $"wincni ADD for {Name}: {result}\n{Node.Log()}");
        using var json = JsonDocument.Parse(result.Stdout);
        var ip = json.RootElement.GetProperty("ips")[0];
        Address = ip.GetProperty("address").GetString()!.Split('/')[0];
        Gateway = ip.GetProperty("gateway").GetString();
    }

    /// <summary>CNI DEL through the published wincni.</summary>
    public async Task DelAsync(CancellationToken cancellationToken)
    {
        var result = await InvokeAsync("DEL", cancellationToken).ConfigureAwait(false);
        Assert.That(result.ExitCode, Is.Zero, $"wincni DEL for {Name}: {result}\n{Node.Log()}");
    }

    public Task<ShellResult> InvokeAsync(string command, CancellationToken cancellationToken) =>
        Shell.RunAsync(
            Binaries.Wincni,
            [],
            cancellationToken,
            stdin: Node.NetConf,
            environment: new Dictionary<string, string>
            {
                ["CNI_COMMAND"] = command,
                ["CNI_CONTAINERID"] = ContainerId,
                ["CNI_NETNS"] = NetnsPath,
                ["CNI_IFNAME"] = "eth0",
                ["CNI_PATH"] = Binaries.Directory,
            });

    /// <summary>Starts a TCP echo server (busybox nc, one cat per connection) on <paramref name="port"/> inside the pod.</summary>
    public async Task StartEchoServerAsync(int port, CancellationToken cancellationToken)
    {
        var log = Path.Combine(Node.Directory, Name + "-echo.log");
        _servers.Add(Shell.StartBackground("ip", ["netns", "exec", Name, "busybox", "nc", "-ll", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-e", "/bin/cat"], log));
        for (var i = 0; i < 50; i++)
        {
            var listening = await Netns.ExecAsync(Name, ["busybox", "netstat", "-ltn"], cancellationToken).ConfigureAwait(false);
            if (listening.Stdout.Contains($":{port} ", StringComparison.Ordinal))
            {
                return;
            }

            await Task.Delay(50, cancellationToken).ConfigureAwait(false);
        }

        Assert.Fail($"echo server on port {port} in {Name} did not start: {Shell.ReadShared(log)}");
    }

    /// <summary>Sends a line over TCP from this pod and returns what came back.</summary>
    public async Task<string> EchoAsync(string address, int port, string message, CancellationToken cancellationToken)
    {
        var result = await Netns.ExecAsync(Name, ["busybox", "nc", "-w", "2", address, port.ToString(System.Globalization.CultureInfo.InvariantCulture)], cancellationToken, stdin: message + "\n", timeout: TimeSpan.FromSeconds(10))
            .ConfigureAwait(false);
        return result.Stdout.Trim();
    }

    /// <summary>Pings from this pod, up to three attempts (the first may wait for ARP).</summary>
    public async Task<bool> PingAsync(string address, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < 3; attempt++)
        {
            if (await Netns.PingAsync(Name, address, cancellationToken).ConfigureAwait(false))
            {
                return true;
            }
        }

        return false;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var server in _servers)
        {
            await Shell.KillAsync(server, CancellationToken.None).ConfigureAwait(false);
            server.Dispose();
        }

        await Netns.DeleteAsync(Name, CancellationToken.None).ConfigureAwait(false);
    }
}
