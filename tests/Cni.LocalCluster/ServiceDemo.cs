using System.Diagnostics;
using System.Globalization;
using k8s.Models;

namespace Cni.LocalCluster;

/// <summary>
/// The demo's Service part: a NodePort Service over every pod (each answers with its name on port 8080), then which
/// backend each pod reached through the ClusterIP, and which one the underlay reached through each node's NodePort.
/// </summary>
internal static class ServiceDemo
{
    private const string ServiceName = "demo";
    private const int ServicePort = 80;
    private const int TargetPort = 8080;

    /// <summary>Creates the Service, prints the paths; returns how many connections failed.</summary>
    public static async Task<int> RunAsync(LocalCluster cluster, TextWriter output, CancellationToken cancellationToken)
    {
        foreach (var pod in cluster.Pods)
        {
            await pod.StartNameServerAsync(TargetPort, cancellationToken).ConfigureAwait(false);
        }

        var clock = Stopwatch.StartNew();
        var service = await cluster.ApplyAsync(
            new V1Service
            {
                ApiVersion = "v1",
                Kind = "Service",
                Metadata = new V1ObjectMeta { Name = ServiceName, NamespaceProperty = "default" },
                Spec = new V1ServiceSpec
                {
                    Type = "NodePort",
                    Selector = new Dictionary<string, string>(cluster.Pods[0].Labels),
                    Ports = [new V1ServicePort { Name = "http", Port = ServicePort, TargetPort = TargetPort, Protocol = "TCP" }],
                },
            },
            cancellationToken).ConfigureAwait(false);
        var clusterIp = service.Spec.ClusterIP;
        var nodePort = service.Spec.Ports[0].NodePort ?? throw new InvalidOperationException("the API server allocated no node port");

        // The first answer through the VIP marks the moment every node's proxy has programmed it (slices, then a pass).
        var first = cluster.Pods[0];
        var deadline = TimeSpan.FromSeconds(20);
        while (string.IsNullOrEmpty(await first.EchoAsync(clusterIp, ServicePort, "", cancellationToken).ConfigureAwait(false)) && clock.Elapsed < deadline)
        {
            await Task.Delay(100, cancellationToken).ConfigureAwait(false);
        }

        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Service {ServiceName}: ClusterIP {clusterIp}:{ServicePort}, NodePort {nodePort} → port {TargetPort} of {cluster.Pods.Count} pods; answering after {clock.Elapsed.TotalSeconds:0.0} s"));
        var failures = 0;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"through the ClusterIP (each pod connects 3 times; the backend answers with its name):"));
        foreach (var pod in cluster.Pods)
        {
            var reached = new List<string>();
            for (var i = 0; i < 3; i++)
            {
                var answer = await pod.EchoAsync(clusterIp, ServicePort, "", cancellationToken).ConfigureAwait(false);
                failures += string.IsNullOrEmpty(answer) ? 1 : 0;
                reached.Add(string.IsNullOrEmpty(answer) ? "FAILED" : answer);
            }

            output.WriteLine($"  {pod.Name,-14} → {string.Join(", ", reached)}");
        }

        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"through each node's NodePort, from the underlay ({LocalCluster.ApiServerUnderlayAddress}):"));
        foreach (var node in cluster.Nodes)
        {
            var reached = new List<string>();
            for (var i = 0; i < 3; i++)
            {
                var answer = await cluster.ConnectFromUnderlayAsync(node.Address, nodePort, cancellationToken).ConfigureAwait(false);
                failures += answer is null ? 1 : 0;
                reached.Add(answer ?? "FAILED");
            }

            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {node.NodeName} {node.Address}:{nodePort} → {string.Join(", ", reached)}"));
        }

        var total = cluster.Pods.Count * 3 + cluster.Nodes.Count * 3;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{total - failures}/{total} Service connections answered"));
        return failures;
    }
}
