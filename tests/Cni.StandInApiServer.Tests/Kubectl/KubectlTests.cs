using System.Diagnostics;
using System.Text.Json.Nodes;

namespace Cni.StandInApiServer.Tests.Kubectl;

/// <summary>The real kubectl (v1.32 on this machine) against the stand-in.</summary>
[Category("Tools")]
public sealed class KubectlTests
{
    private const string Manifest = """
        apiVersion: v1
        kind: Node
        metadata:
          name: win-node-1
          labels:
            kubernetes.io/os: windows
        spec:
          podCIDR: 10.244.1.0/24
        ---
        apiVersion: v1
        kind: Namespace
        metadata:
          name: demo
        ---
        apiVersion: v1
        kind: Service
        metadata:
          name: web
          namespace: demo
        spec:
          selector:
            app: web
          ports:
          - port: 80
            targetPort: 8080
        ---
        apiVersion: discovery.k8s.io/v1
        kind: EndpointSlice
        metadata:
          name: web-abc
          namespace: demo
          labels:
            kubernetes.io/service-name: web
        addressType: IPv4
        ports:
        - port: 8080
        endpoints:
        - addresses: ["10.244.1.5"]
        """;

    private ServerHarness _h = null!;
    private KubectlRunner _kubectl = null!;

    [SetUp]
    public async Task SetUp()
    {
        KubectlRunner.RequireKubectl();
        _h = await ServerHarness.StartAsync();
        _kubectl = new KubectlRunner(_h.Server);
    }

    [TearDown]
    public async Task TearDown()
    {
        _kubectl?.Dispose();
        if (_h is not null) await _h.DisposeAsync();
    }

    private Task CreateNodeAsync(string name) => _h.CreateNodeAsync(name, new JsonObject { ["node-role.kubernetes.io/worker"] = "" });

    [Test]
    public async Task GetNodes_Table_PrintsRealColumns()
    {
        await CreateNodeAsync("win-1");
        var output = await _kubectl.RunOkAsync("get", "nodes");
        Assert.That(output, Does.Match(@"NAME\s+STATUS\s+ROLES\s+AGE\s+VERSION"));
        Assert.That(output, Does.Match(@"win-1\s+Unknown\s+worker\s+\d+s"));
    }

    [Test]
    public async Task GetNode_Wide_PrintsExtraColumns()
    {
        await CreateNodeAsync("win-1");
        var output = await _kubectl.RunOkAsync("get", "node", "win-1", "-o", "wide");
        Assert.That(output, Does.Contain("INTERNAL-IP").And.Contain("CONTAINER-RUNTIME"));
    }

    [Test]
    public async Task GetNode_Json_IsTheObject()
    {
        await CreateNodeAsync("win-1");
        var node = JsonNode.Parse(await _kubectl.RunOkAsync("get", "node", "win-1", "-o", "json"))!;
        Assert.That((string?)node["kind"], Is.EqualTo("Node"));
        Assert.That((string?)node["spec"]!["podCIDR"], Is.EqualTo("10.244.1.0/24"));
    }

    [Test]
    public async Task GetNode_Yaml_IsTheObject()
    {
        await CreateNodeAsync("win-1");
        var output = await _kubectl.RunOkAsync("get", "no", "win-1", "-o", "yaml");
        Assert.That(output, Does.Contain("kind: Node").And.Contain("podCIDR: 10.244.1.0/24"));
    }

    [Test]
    public async Task GetNode_Missing_ExitsOneWithNotFound()
    {
        var (code, _, stderr) = await _kubectl.RunAsync("get", "node", "nope");
        Assert.That(code, Is.EqualTo(1));
        Assert.That(stderr, Does.Contain("NotFound").And.Contain("nodes \"nope\" not found"));
    }

    [Test]
    public async Task CreateFile_AllKinds_WithoutDisablingValidation()
    {
        var file = _kubectl.WriteFile("objs.yaml", Manifest);
        var output = await _kubectl.RunOkAsync("create", "-f", file);
        Assert.That(output, Does.Contain("node/win-node-1 created").And.Contain("namespace/demo created")
            .And.Contain("service/web created").And.Contain("endpointslice.discovery.k8s.io/web-abc created"));
        var services = await _kubectl.RunOkAsync("get", "svc", "-n", "demo");
        Assert.That(services, Does.Match(@"web\s+ClusterIP\s+10\.96\.\d+\.\d+\s+<none>\s+80/TCP"));
        var slices = await _kubectl.RunOkAsync("get", "endpointslices", "-A");
        Assert.That(slices, Does.Contain("10.244.1.5"));
    }

    [Test]
    public async Task ApplyFile_TwiceWithChange_ConfiguresThenIsUnchanged()
    {
        var first = _kubectl.WriteFile("v1.yaml", Manifest);
        Assert.That(await _kubectl.RunOkAsync("apply", "-f", first), Does.Contain("service/web created"));
        var second = _kubectl.WriteFile("v2.yaml", Manifest.Replace("app: web", "app: web2", StringComparison.Ordinal));
        Assert.That(await _kubectl.RunOkAsync("apply", "-f", second), Does.Contain("service/web configured"));
        Assert.That(await _kubectl.RunOkAsync("apply", "-f", second), Does.Contain("service/web unchanged").And.Contain("node/win-node-1 unchanged"));
        var selector = await _kubectl.RunOkAsync("get", "svc", "web", "-n", "demo", "-o", "jsonpath={.spec.selector.app}");
        Assert.That(selector, Is.EqualTo("web2"));
    }

    [TestCase("strategic", """{"metadata":{"labels":{"patched":"strategic"}}}""")]
    [TestCase("merge", """{"metadata":{"labels":{"patched":"merge"}}}""")]
    [TestCase("json", """[{"op":"add","path":"/metadata/labels/patched","value":"json"}]""")]
    public async Task Patch_EachType_Applies(string type, string patch)
    {
        await CreateNodeAsync("win-1");
        Assert.That(await _kubectl.RunOkAsync("patch", "node", "win-1", "--type", type, "-p", patch), Does.Contain("patched"));
        Assert.That((string?)_h.Server.Store.Get("nodes", null, "win-1")!["metadata"]!["labels"]!["patched"], Is.EqualTo(type));
    }

    [Test]
    public async Task PatchStatus_Subresource_SetsCondition()
    {
        await CreateNodeAsync("win-1");
        await _kubectl.RunOkAsync("patch", "node", "win-1", "--subresource=status", "-p",
            """{"status":{"conditions":[{"type":"Ready","status":"True"}],"nodeInfo":{"kubeletVersion":"v1.32.0"}}}""");
        var output = await _kubectl.RunOkAsync("get", "nodes");
        Assert.That(output, Does.Match(@"win-1\s+Ready\s+worker\s+\S+\s+v1\.32\.0"));
    }

    [Test]
    public async Task AnnotateAndLabel_Node_AreStored()
    {
        await CreateNodeAsync("win-1");
        await _kubectl.RunOkAsync("annotate", "node", "win-1", "flannel.alpha.coreos.com/public-ip=10.0.0.5");
        await _kubectl.RunOkAsync("label", "node", "win-1", "zone=a");
        var meta = _h.Server.Store.Get("nodes", null, "win-1")!["metadata"]!;
        Assert.That((string?)meta["annotations"]!["flannel.alpha.coreos.com/public-ip"], Is.EqualTo("10.0.0.5"));
        Assert.That((string?)meta["labels"]!["zone"], Is.EqualTo("a"));
        Assert.That(await _kubectl.RunOkAsync("get", "nodes", "-l", "zone=a", "-o", "name"), Is.EqualTo("node/win-1\n"));
    }

    [Test]
    public async Task DeleteFile_AllKinds_RemovesThem()
    {
        var file = _kubectl.WriteFile("objs.yaml", Manifest);
        await _kubectl.RunOkAsync("create", "-f", file);
        var output = await _kubectl.RunOkAsync("delete", "-f", file);
        Assert.That(output, Does.Contain("node \"win-node-1\" deleted").And.Contain("namespace \"demo\" deleted"));
        Assert.That(_h.Server.Store.List("nodes"), Is.Empty);
        Assert.That(_h.Server.Store.List("namespaces").Select(n => (string?)n["metadata"]!["name"]), Does.Not.Contain("demo"));
    }

    [Test]
    public async Task GetWatch_Nodes_SeesUpdate()
    {
        await CreateNodeAsync("win-1");
        using var process = Process.Start(_kubectl.StartInfo("get", "nodes", "-w"))!;
        try
        {
            using var cts = new CancellationTokenSource(ServerHarness.Patience);
            var header = await process.StandardOutput.ReadLineAsync(cts.Token);
            var initial = await process.StandardOutput.ReadLineAsync(cts.Token);
            Assert.That(header, Does.StartWith("NAME"));
            Assert.That(initial, Does.Contain("Unknown"));
            await _h.PatchAsync("/api/v1/nodes/win-1/status", JsonNode.Parse("""{"status":{"conditions":[{"type":"Ready","status":"True"}]}}""")!,
                "application/strategic-merge-patch+json");
            var update = await process.StandardOutput.ReadLineAsync(cts.Token);
            Assert.That(update, Does.Match(@"win-1\s+Ready"));
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    [Test]
    public async Task Get_ShortNames_Resolve()
    {
        await _h.CreateServiceAsync(Objects.Service("web"));
        Assert.That(await _kubectl.RunOkAsync("get", "svc", "-o", "name"), Is.EqualTo("service/web\n"));
        Assert.That(await _kubectl.RunOkAsync("get", "ns", "-o", "name"), Does.Contain("namespace/kube-system"));
    }

    private const string PodManifest = """
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
        """;

    [Test]
    public async Task ApplyFile_Pod_CreatedThenUnchangedThenLabelConfigured()
    {
        Assert.That(await _kubectl.RunOkAsync("apply", "-f", _kubectl.WriteFile("pod.yaml", PodManifest)), Does.Contain("pod/web-1 created"));
        Assert.That(await _kubectl.RunOkAsync("apply", "-f", _kubectl.WriteFile("pod.yaml", PodManifest)), Does.Contain("pod/web-1 unchanged"));
        var relabelled = PodManifest.Replace("app: web", "app: web\n    tier: front", StringComparison.Ordinal);
        Assert.That(await _kubectl.RunOkAsync("apply", "-f", _kubectl.WriteFile("pod.yaml", relabelled)), Does.Contain("pod/web-1 configured"));
        Assert.That(await _kubectl.RunOkAsync("get", "po", "-l", "tier=front", "-o", "name"), Is.EqualTo("pod/web-1\n"));
    }

    [Test]
    public async Task ApplyFile_PodWithChangedPort_RefusedAsOnACluster()
    {
        await _kubectl.RunOkAsync("apply", "-f", _kubectl.WriteFile("pod.yaml", PodManifest));
        var (code, _, stderr) = await _kubectl.RunAsync("apply", "-f", _kubectl.WriteFile("pod.yaml", PodManifest.Replace("8080", "9090", StringComparison.Ordinal)));
        Assert.That(code, Is.EqualTo(1));
        Assert.That(stderr, Does.Contain("pod updates may not change fields"));
    }

    [Test]
    public async Task GetPods_RunningPod_PrintsRealColumnsAndWide()
    {
        await _kubectl.RunOkAsync("apply", "-f", _kubectl.WriteFile("pod.yaml", PodManifest));
        await _h.PatchAsync("/api/v1/namespaces/default/pods/web-1/status", Objects.RunningStatus("10.244.1.5"), "application/strategic-merge-patch+json");
        var output = await _kubectl.RunOkAsync("get", "pods");
        var wide = await _kubectl.RunOkAsync("get", "pods", "-o", "wide");
        Assert.That(output, Does.Match(@"NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE"));
        Assert.That(output, Does.Match(@"web-1\s+1/1\s+Running\s+0\s+\d+s"));
        Assert.That(wide, Does.Match(@"IP\s+NODE\s+NOMINATED NODE\s+READINESS GATES"));
        Assert.That(wide, Does.Match(@"web-1\s+1/1\s+Running\s+0\s+\S+\s+10\.244\.1\.5\s+win-1\s+<none>\s+<none>"));
    }

    [Test]
    public async Task DeletePod_GracePeriod_TerminatesThenKubectlSeesItGone()
    {
        await _kubectl.RunOkAsync("apply", "-f", _kubectl.WriteFile("pod.yaml", PodManifest));
        Assert.That(await _kubectl.RunOkAsync("delete", "pod", "web-1", "--grace-period=1"), Does.Contain("pod \"web-1\" deleted"));
        Assert.That(_h.Server.Store.List("pods"), Is.Empty);
    }

    [Test]
    public async Task DescribeNode_WithPods_ListsThem()
    {
        // kubectl describe node lists the node's pods by field selector (spec.nodeName, status.phase).
        await CreateNodeAsync("win-1");
        await _kubectl.RunOkAsync("apply", "-f", _kubectl.WriteFile("pod.yaml", PodManifest));
        var (code, stdout, stderr) = await _kubectl.RunAsync("describe", "node", "win-1");
        Assert.That(stdout, Does.Contain("Non-terminated Pods:").And.Contain("web-1"), stderr);
        Assert.That(code, Is.Zero, stderr);
    }

    [Test]
    public async Task DescribePod_Running_ShowsIpAndNode()
    {
        await _kubectl.RunOkAsync("apply", "-f", _kubectl.WriteFile("pod.yaml", PodManifest));
        await _h.PatchAsync("/api/v1/namespaces/default/pods/web-1/status", Objects.RunningStatus("10.244.1.5"), "application/strategic-merge-patch+json");
        var output = await _kubectl.RunOkAsync("describe", "pod", "web-1");
        Assert.That(output, Does.Match(@"Node:\s+win-1").And.Match(@"IP:\s+10\.244\.1\.5").And.Match(@"Status:\s+Running"));
    }

    [Test]
    public async Task DescribeService_WithEndpointSlice_ShowsEndpoints()
    {
        // Regression: kubectl describe dereferences EndpointSlice port names, which the real server defaults to "".
        await _kubectl.RunOkAsync("create", "-f", _kubectl.WriteFile("objs.yaml", Manifest));
        var output = await _kubectl.RunOkAsync("describe", "svc", "web", "-n", "demo");
        Assert.That(output, Does.Match(@"Endpoints:\s+10\.244\.1\.5:8080"));
    }
}
