using System.Text.Json.Nodes;
using Cni.StandInApiServer.Controllers;

namespace Cni.StandInApiServer.Tests.Kubectl;

/// <summary><c>kubectl apply -f service.yaml</c> with the EndpointSlice writer running: slices follow as on a cluster.</summary>
[Category("Tools")]
public sealed class KubectlServiceTests
{
    private const string Manifest = """
        apiVersion: v1
        kind: Service
        metadata:
          name: web
        spec:
          selector:
            app: web
          ports:
          - name: http
            port: 80
            targetPort: http
        ---
        apiVersion: v1
        kind: Pod
        metadata:
          name: web-1
          labels:
            app: web
        spec:
          nodeName: win-1
          containers:
          - name: main
            image: busybox:1.36
            ports:
            - name: http
              containerPort: 8080
        ---
        apiVersion: v1
        kind: Pod
        metadata:
          name: web-2
          labels:
            app: web
        spec:
          nodeName: win-1
          containers:
          - name: main
            image: busybox:1.36
            ports:
            - name: http
              containerPort: 8080
        """;

    private ServerHarness _h = null!;
    private KubectlRunner _kubectl = null!;
    private EndpointSliceWriter _writer = null!;

    [SetUp]
    public async Task SetUp()
    {
        KubectlRunner.RequireKubectl();
        _h = await ServerHarness.StartAsync();
        _kubectl = new KubectlRunner(_h.Server);
        _writer = new EndpointSliceWriter(_h.Server.Store);
        _writer.Start();
        await _h.CreateNodeAsync("win-1");
    }

    [TearDown]
    public async Task TearDown()
    {
        _kubectl?.Dispose();
        if (_writer is not null) await _writer.DisposeAsync();
        if (_h is not null) await _h.DisposeAsync();
    }

    /// <summary>What the kubelet of win-1 would report once the pod runs.</summary>
    private Task RunAsync(string pod, string ip) =>
        _kubectl.RunOkAsync("patch", "pod", pod, "--subresource=status", "-p", Objects.RunningStatus(ip).ToJsonString());

    private async Task<string> WaitForKubectlAsync(Func<string, bool> condition, params string[] args)
    {
        var deadline = DateTime.UtcNow + ServerHarness.Patience;
        while (true)
        {
            var output = await _kubectl.RunOkAsync(args);
            if (condition(output)) return output;
            if (DateTime.UtcNow > deadline) Assert.Fail($"kubectl {string.Join(' ', args)} never got there; last:\n{output}");
            await Task.Delay(100);
        }
    }

    [Test]
    public async Task ApplyServiceAndPods_PodsRun_SlicesAndDescribeShowTheirEndpoints()
    {
        var applied = await _kubectl.RunOkAsync("apply", "-f", _kubectl.WriteFile("web.yaml", Manifest));
        await RunAsync("web-1", "10.244.1.5");
        await RunAsync("web-2", "10.244.1.6");

        var slices = await WaitForKubectlAsync(o => o.Contains("10.244.1.6", StringComparison.Ordinal),
            "get", "endpointslices", "-l", "kubernetes.io/service-name=web");
        var described = await _kubectl.RunOkAsync("describe", "svc", "web");
        Assert.That(applied, Does.Contain("service/web created").And.Contain("pod/web-1 created").And.Contain("pod/web-2 created"));
        Assert.That(slices, Does.Match(@"web-\w+\s+IPv4\s+8080\s+10\.244\.1\.5,10\.244\.1\.6"));
        Assert.That(described, Does.Match(@"Endpoints:\s+10\.244\.1\.5:8080,10\.244\.1\.6:8080"));
    }

    [Test]
    public async Task DeletePodThenService_SlicesFollow()
    {
        await _kubectl.RunOkAsync("apply", "-f", _kubectl.WriteFile("web.yaml", Manifest));
        await RunAsync("web-1", "10.244.1.5");
        await RunAsync("web-2", "10.244.1.6");
        await WaitForKubectlAsync(o => o.Contains("10.244.1.6", StringComparison.Ordinal), "get", "endpointslices");

        await _kubectl.RunOkAsync("delete", "pod", "web-1");
        var afterPod = await WaitForKubectlAsync(o => !o.Contains("10.244.1.5", StringComparison.Ordinal),
            "get", "endpointslices", "-o", "jsonpath={.items[*].endpoints[*].addresses[*]}");
        await _kubectl.RunOkAsync("delete", "svc", "web");
        var afterService = await WaitForKubectlAsync(o => o.Length == 0, "get", "endpointslices", "-o", "name");

        Assert.That(afterPod, Is.EqualTo("10.244.1.6"));
        Assert.That(afterService, Is.Empty);
    }

    [Test]
    public async Task GetSlice_Yaml_CarriesOwnerManagedByAndTriggerTime()
    {
        await _kubectl.RunOkAsync("apply", "-f", _kubectl.WriteFile("web.yaml", Manifest));
        await RunAsync("web-1", "10.244.1.5");
        var json = await WaitForKubectlAsync(o => o.Contains("10.244.1.5", StringComparison.Ordinal),
            "get", "endpointslices", "-l", "kubernetes.io/service-name=web", "-o", "json");

        var slice = JsonNode.Parse(json)!["items"]![0]!;
        var meta = slice["metadata"]!;
        Assert.That((string?)meta["labels"]!["endpointslice.kubernetes.io/managed-by"], Is.EqualTo(EndpointSliceWriter.ManagedBy));
        Assert.That((string?)meta["ownerReferences"]![0]!["kind"], Is.EqualTo("Service"));
        Assert.That(DateTimeOffset.TryParse((string?)meta["annotations"]![EndpointSliceWriter.TriggerTimeAnnotation], out _), Is.True);
        Assert.That((string?)slice["endpoints"]![0]!["targetRef"]!["name"], Is.EqualTo("web-1"));
    }
}
