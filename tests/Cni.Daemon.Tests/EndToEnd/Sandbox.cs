using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Cni.Daemon.Tests.EndToEnd;

/// <summary>
/// One daemon's private world: /tmp/wcni-XXXX/ with the state dir, the socket (short path: AF_UNIX allows ~100 bytes),
/// netns stand-in files and node.yaml, plus a free TCP port on 127.0.0.1 for /healthz, /readyz and /metrics.
/// </summary>
internal sealed class Sandbox : IDisposable
{
    public const string NetworkName = "wincni";
    public const string PodCidr = "10.244.0.0/22";

    public Sandbox()
    {
        Root = System.IO.Directory.CreateTempSubdirectory("wcni-").FullName;
        StateDir = Path.Combine(Root, "state");
        Socket = Path.Combine(Root, "run", "d.sock");
        NetnsDir = Path.Combine(Root, "ns");
        System.IO.Directory.CreateDirectory(NetnsDir);
        HealthPort = FreePort();
        ConfigFile = Path.Combine(Root, "node.yaml");
        WriteConfig();
    }

    public string Root { get; }

    public string StateDir { get; }

    public string Socket { get; }

    public string NetnsDir { get; }

    public int HealthPort { get; }

    public string HealthAddress => string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{HealthPort}");

    public Uri HealthUri(string path) => new(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{HealthPort}{path}"));

    public string ConfigFile { get; }

    public void WriteConfig(string extra = "") => File.WriteAllText(ConfigFile, $"""
        mode: l2bridge
        networkName: {NetworkName}
        clusterCIDRs: [10.244.0.0/16]
        serviceCIDRs: [10.96.0.0/12]
        podCIDRs: [{PodCidr}]
        nodeIP: 192.0.2.10
        stateDir: {StateDir}
        socket: {Socket}
        healthAddress: {HealthAddress}
        log:
          level: warning
        {extra}
        """);

    /// <summary>A file standing for a pod's netns: the plugin checks the path exists; the memory dataplane keys on it.</summary>
    public string Netns(string name)
    {
        var path = Path.Combine(NetnsDir, name);
        if (!File.Exists(path))
        {
            File.WriteAllText(path, "");
        }

        return path;
    }

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A daemon that is still shutting down may hold a file for a moment; /tmp is cleaned eventually.
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
