using Cni.Daemon.Hosting;
using Cni.Daemon.Tests.EndToEnd;
using Cni.Daemon.Tests.Kubernetes;
using Cni.Hcn.Errors;
using Cni.Hcn.Memory;
using Cni.Node.Networks;
using Cni.StandInApiServer;
using k8s.Models;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Cni.Daemon.Tests.Deploy;

/// <summary>
/// wincnid against the stand-in API server with everything that talks to Kubernetes in use (its Node, peers, the
/// service proxy, an ADD failing with an HRESULT a person must act on): the requests it makes, as RBAC sees them, are
/// exactly what deploy/'s ClusterRole grants, and the failure becomes rate-limited Events on the Node and the Pod.
/// </summary>
[NonParallelizable]
public sealed class ApiAccessTests
{
    private const string NodeName = "node-a";

    [Test]
    [CancelAfter(90_000)]
    public async Task Daemon_EveryApiCaller_RequestsAreExactlyTheClusterRolesRulesAndFailuresBecomeEvents(CancellationToken cancellationToken)
    {
        var clusterRole = RenderedManifests.Single<V1ClusterRole>(RenderedManifests.Render(Path.Combine(RenderedManifests.DeployDirectory, "base")), "wincni");
        await using var api = new StandInApiServer.StandInApiServer(new StandInApiServerOptions { BookmarkInterval = TimeSpan.FromSeconds(2) });
        await api.StartAsync(cancellationToken);
        using var sandbox = new Sandbox();
        var kubeconfig = api.WriteKubeconfig(Path.Combine(sandbox.Root, "kubeconfig"));
        StandInNodes.Create(api.Store, NodeName, "10.244.7.0/24", "192.0.2.7");
        StandInNodes.Create(api.Store, "node-b", "10.244.8.0/24", "192.0.2.8", new() { ["flannel.alpha.coreos.com/public-ip"] = "192.0.2.8" });
        File.WriteAllText(sandbox.ConfigFile, $$"""
            mode: overlay
            networkName: {{Sandbox.NetworkName}}
            clusterCIDRs: [10.244.0.0/16]
            serviceCIDRs: [10.96.0.0/12]
            stateDir: {{sandbox.StateDir}}
            socket: {{sandbox.Socket}}
            healthAddress: {{sandbox.HealthAddress}}
            serviceProxy: {enabled: true, minSyncPeriodMilliseconds: 0}
            log: {level: warning}

            """);

        MemoryHcn? hcn = null;
        var app = await DaemonHost.BuildAsync(
            new RunSettings { ConfigFile = sandbox.ConfigFile, Dataplane = DataplaneKind.Memory, Kubeconfig = kubeconfig, NodeName = NodeName, MemoryDataplaneOpened = h => hcn = h },
            cancellationToken);
        await using (app)
        {
            await app.StartAsync(cancellationToken);
            var network = app.Services.GetRequiredService<PodNetwork>();
            await WaitUntilAsync(() => network.IsReady, "wincnid ready", cancellationToken);

            // An ADD that HNS refuses for good: the runtime gets the catalogue's cause and fix, and so do the Node and the Pod.
            hcn!.FailNext(MemoryHcnOperation.CreateEndpoint, 10, HcnErrorCodes.InvalidEndpoint);
            var failed = await new Wincni(sandbox).AddAsync("c1");
            Assert.That(failed.Succeeded, Is.False);
            var again = await new Wincni(sandbox).AddAsync("c1");
            Assert.That(again.Succeeded, Is.False);

            var info = HcnErrorCatalog.Lookup(HcnErrorCodes.InvalidEndpoint);
            await WaitUntilAsync(() => EventsOf(api).Count >= 2, "Events on the Node and the Pod", cancellationToken);
            await WaitUntilAsync(() => api.Store.Get<V1Node>(NodeName)?.Metadata.Annotations?.ContainsKey("flannel.alpha.coreos.com/backend-type") == true, "the Node's annotations", cancellationToken);
            await WaitUntilAsync(() => Rules(api).Contains(("discovery.k8s.io", "endpointslices", "watch")) && Rules(api).Contains(("", "services", "watch")), "the service proxy's watches", cancellationToken);
            await Task.Delay(500, cancellationToken);

            var events = EventsOf(api);
            Assert.That(events.Select(e => (e.Regarding.Kind, e.Regarding.Name, e.Metadata.NamespaceProperty)), Is.EquivalentTo(new[]
            {
                ("Node", NodeName, "default"),
                ("Pod", "pod-c1", "default"),
            }), "one Event per object and reason: the second failure within the interval is held back");
            Assert.That(events.Select(e => e.Reason), Has.All.EqualTo("HcnError"));
            Assert.That(events.Select(e => e.Type), Has.All.EqualTo("Warning"));
            Assert.That(events.Select(e => e.ReportingController), Has.All.EqualTo("wincni.io/wincnid"));
            Assert.That(events.Select(e => e.Note), Has.All.Contain(info.Cause).And.All.Contain(info.Fix).And.All.Contain("pod default/pod-c1"));
        }

        var granted = clusterRole.Rules
            .SelectMany(r => r.ApiGroups.SelectMany(g => r.Resources.SelectMany(res => r.Verbs.Select(v => (g, res, v)))))
            .ToHashSet();
        var used = Rules(api);
        Assert.That(used, Is.EquivalentTo(granted), $"requests made: {string.Join(", ", used.Order())}; granted: {string.Join(", ", granted.Order())}");
    }

    private static HashSet<(string Group, string Resource, string Verb)> Rules(StandInApiServer.StandInApiServer api) =>
        api.Requests.Records.Select(r => (r.Group, r.Resource, r.Verb)).ToHashSet();

    private static List<Eventsv1Event> EventsOf(StandInApiServer.StandInApiServer api) =>
        [.. api.Store.List<Eventsv1Event>("default")];

    private static async Task WaitUntilAsync(Func<bool> condition, string what, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) Assert.Fail("timed out waiting for " + what);
            await Task.Delay(100, cancellationToken);
        }
    }
}
