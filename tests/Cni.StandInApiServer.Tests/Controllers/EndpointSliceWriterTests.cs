using Cni.StandInApiServer.Controllers;
using k8s;
using k8s.Models;

namespace Cni.StandInApiServer.Tests.Controllers;

/// <summary>The EndpointSlice writer on an in-process store: what a service proxy finds in the slices it writes.</summary>
public sealed class EndpointSliceWriterTests
{
    private static readonly Dictionary<string, string> Web = new() { ["app"] = "web" };

    private WriterFixture _f = null!;

    [SetUp]
    public void SetUp() => _f = WriterFixture.Started();

    [TearDown]
    public async Task TearDown() => await _f.DisposeAsync();

    private static bool Holds(List<V1EndpointSlice> slices, int endpoints) => slices.Sum(s => s.Endpoints?.Count ?? 0) == endpoints;

    [Test]
    public async Task Service_SelectorMatchesRunningPods_OneSliceAsTheRealControllerWritesIt()
    {
        _f.Node("n1", zone: "zone-a");
        var service = _f.Service("web", Web);
        var pod = _f.Pod("web-1", "n1", Web, "10.244.1.5");
        _f.Pod("web-2", "n1", Web, "10.244.1.6");
        _f.Pod("other", "n1", new() { ["app"] = "other" }, "10.244.1.7");

        var slice = (await _f.SlicesWhenAsync("web", s => Holds(s, 2))).Single();
        var first = slice.Endpoints.Single(e => e.Addresses.Single() == "10.244.1.5");
        Assert.That(slice.Metadata.Name, Does.StartWith("web-"));
        Assert.That(slice.Metadata.Labels, Is.EquivalentTo(new Dictionary<string, string>
        {
            ["kubernetes.io/service-name"] = "web",
            ["endpointslice.kubernetes.io/managed-by"] = EndpointSliceWriter.ManagedBy,
        }));
        var owner = slice.Metadata.OwnerReferences.Single();
        Assert.That((owner.ApiVersion, owner.Kind, owner.Name, owner.Uid, owner.Controller, owner.BlockOwnerDeletion),
            Is.EqualTo(("v1", "Service", "web", service.Metadata.Uid, (bool?)true, (bool?)true)));
        Assert.That(slice.AddressType, Is.EqualTo("IPv4"));
        Assert.That(KubernetesJson.Serialize(slice.Ports), Is.EqualTo("""[{"name":"http","port":8080,"protocol":"TCP"}]"""));
        Assert.That((first.Conditions.Ready, first.Conditions.Serving, first.Conditions.Terminating), Is.EqualTo(((bool?)true, (bool?)true, (bool?)false)));
        Assert.That((first.NodeName, first.Zone), Is.EqualTo(("n1", "zone-a")));
        Assert.That((first.TargetRef.Kind, first.TargetRef.NamespaceProperty, first.TargetRef.Name, first.TargetRef.Uid),
            Is.EqualTo(("Pod", "default", "web-1", pod.Metadata.Uid)));
    }

    [Test]
    public async Task Service_NoMatchingPods_KeepsOneEmptyPlaceholderThenFillsIt()
    {
        _f.Node("n1");
        _f.Service("web", Web);
        var placeholder = (await _f.SlicesWhenAsync("web", s => s.Count == 1)).Single();
        _f.Pod("web-1", "n1", Web, "10.244.1.5");
        var filled = (await _f.SlicesWhenAsync("web", s => Holds(s, 1))).Single();

        Assert.That(placeholder.Endpoints, Is.Empty);
        Assert.That(placeholder.Ports ?? [], Is.Empty);
        Assert.That(filled.Metadata.Name, Is.EqualTo(placeholder.Metadata.Name), "the placeholder is reused, not replaced");
        Assert.That(filled.Ports.Single().Port, Is.EqualTo(8080));
    }

    [Test]
    public async Task Pod_WithoutIpOrTerminalOrOnMissingNode_LeftOutUntilItQualifies()
    {
        _f.Node("n1");
        _f.Service("web", Web);
        _f.Pod("pending", "n1", Web, ip: null);
        var done = _f.Pod("done", "n1", Web, "10.244.1.8");
        done.Status.Phase = "Succeeded";
        _f.Store.Update(done, status: true);
        _f.Pod("nowhere", "n9", Web, "10.244.9.5");
        _f.Pod("web-1", "n1", Web, "10.244.1.5");
        var before = await _f.SlicesWhenAsync("web", s => Holds(s, 1));
        _f.Node("n9");
        var after = await _f.SlicesWhenAsync("web", s => Holds(s, 2));

        Assert.That(WriterFixture.Addresses(before), Is.EqualTo(new[] { "10.244.1.5" }));
        Assert.That(WriterFixture.Addresses(after), Is.EqualTo(new[] { "10.244.1.5", "10.244.9.5" }), "a pod counts once its Node exists");
    }

    [Test]
    public async Task Pod_BecomesNotReady_EndpointNeitherReadyNorServing()
    {
        _f.Node("n1");
        _f.Service("web", Web);
        _f.Pod("web-1", "n1", Web, "10.244.1.5");
        await _f.SlicesWhenAsync("web", s => Holds(s, 1));
        _f.SetReady("web-1", false);

        var endpoint = (await _f.SlicesWhenAsync("web", s => s.Single().Endpoints.Single().Conditions.Ready == false)).Single().Endpoints.Single();
        Assert.That((endpoint.Conditions.Ready, endpoint.Conditions.Serving, endpoint.Conditions.Terminating), Is.EqualTo(((bool?)false, (bool?)false, (bool?)false)));
    }

    [Test]
    public async Task Pod_Terminating_ServingButNotReady()
    {
        _f.Node("n1");
        _f.Service("web", Web);
        _f.Pod("web-1", "n1", Web, "10.244.1.5");
        await _f.SlicesWhenAsync("web", s => Holds(s, 1));
        _f.Store.Delete<V1Pod>("web-1", "default", gracePeriod: TimeSpan.FromSeconds(30));

        var endpoint = (await _f.SlicesWhenAsync("web", s => s.Single().Endpoints.Single().Conditions.Terminating == true)).Single().Endpoints.Single();
        Assert.That((endpoint.Conditions.Ready, endpoint.Conditions.Serving, endpoint.Conditions.Terminating), Is.EqualTo(((bool?)false, (bool?)true, (bool?)true)));
    }

    [Test]
    public async Task Pod_GracePeriodEnds_EndpointGoes()
    {
        _f.Node("n1");
        _f.Service("web", Web);
        _f.Pod("web-1", "n1", Web, "10.244.1.5");
        _f.Pod("web-2", "n1", Web, "10.244.1.6");
        await _f.SlicesWhenAsync("web", s => Holds(s, 2));
        _f.Store.Delete<V1Pod>("web-1", "default", gracePeriod: TimeSpan.FromSeconds(30));
        await _f.SlicesWhenAsync("web", s => s.Single().Endpoints.Any(e => e.Conditions.Terminating == true));
        _f.Time.Advance(TimeSpan.FromSeconds(30));

        var slices = await _f.SlicesWhenAsync("web", s => Holds(s, 1));
        Assert.That(WriterFixture.Addresses(slices), Is.EqualTo(new[] { "10.244.1.6" }));
    }

    [Test]
    public async Task PublishNotReadyAddresses_NotReadyAndTerminatingPods_StillReady()
    {
        _f.Node("n1");
        var service = _f.Store.Create(new V1Service
        {
            Metadata = new V1ObjectMeta { Name = "web" },
            Spec = new V1ServiceSpec { Selector = Web, PublishNotReadyAddresses = true, Ports = [new V1ServicePort { Port = 80 }] },
        });
        _f.Pod("starting", "n1", Web, "10.244.1.5", ready: false);
        _f.Pod("stopping", "n1", Web, "10.244.1.6");
        _f.Store.Delete<V1Pod>("stopping", "default", gracePeriod: TimeSpan.FromSeconds(30));

        var slice = (await _f.SlicesWhenAsync("web", s => Holds(s, 2) && s.Single().Endpoints.Any(e => e.Conditions.Terminating == true))).Single();
        var starting = slice.Endpoints.Single(e => e.TargetRef.Name == "starting").Conditions;
        var stopping = slice.Endpoints.Single(e => e.TargetRef.Name == "stopping").Conditions;
        Assert.That(service.Spec.PublishNotReadyAddresses, Is.True);
        Assert.That((starting.Ready, starting.Serving, starting.Terminating), Is.EqualTo(((bool?)true, (bool?)false, (bool?)false)));
        Assert.That((stopping.Ready, stopping.Serving, stopping.Terminating), Is.EqualTo(((bool?)true, (bool?)true, (bool?)true)));
    }

    [Test]
    public async Task NamedTargetPort_PodsWithoutThatPort_InTheirOwnSliceWithoutIt()
    {
        _f.Node("n1");
        _f.Service("web", Web,
            new V1ServicePort { Name = "http", Port = 80, TargetPort = "web" },
            new V1ServicePort { Name = "metrics", Port = 9100 });
        _f.Pod("named", "n1", Web, "10.244.1.5", ports: new V1ContainerPort { Name = "web", ContainerPort = 8080 });
        _f.Pod("renamed", "n1", Web, "10.244.1.6", ports: new V1ContainerPort { Name = "web", ContainerPort = 8081 });
        _f.Pod("unnamed", "n1", Web, "10.244.1.7", ports: new V1ContainerPort { ContainerPort = 8080 });

        var slices = await _f.SlicesWhenAsync("web", s => Holds(s, 3));
        string Ports(V1EndpointSlice s) => string.Join(",", s.Ports.OrderBy(p => p.Name, StringComparer.Ordinal).Select(p => $"{p.Name}:{p.Port}"));
        var byPorts = slices.ToDictionary(Ports, s => WriterFixture.Addresses([s]));
        Assert.That(byPorts, Is.EquivalentTo(new Dictionary<string, List<string>>
        {
            ["http:8080,metrics:9100"] = ["10.244.1.5"],
            ["http:8081,metrics:9100"] = ["10.244.1.6"],
            ["metrics:9100"] = ["10.244.1.7"],
        }));
    }

    [Test]
    public async Task DualStackService_PodsWithBothFamilies_OneSlicePerAddressType()
    {
        _f.Node("n1");
        _f.Store.Create(new V1Service
        {
            Metadata = new V1ObjectMeta { Name = "web" },
            Spec = new V1ServiceSpec { Selector = Web, IpFamilies = ["IPv4", "IPv6"], IpFamilyPolicy = "PreferDualStack", Ports = [new V1ServicePort { Port = 80 }] },
        });
        _f.Pod("web-1", "n1", Web, "10.244.1.5,fd00:10:244:1::5");

        var slices = await _f.SlicesWhenAsync("web", s => Holds(s, 2));
        Assert.That(slices.ToDictionary(s => s.AddressType, s => s.Endpoints.Single().Addresses.Single()), Is.EquivalentTo(new Dictionary<string, string>
        {
            ["IPv4"] = "10.244.1.5",
            ["IPv6"] = "fd00:10:244:1::5",
        }));
    }

    [Test]
    public async Task ServiceCreated_Over250Pods_SlicesOf100_100_50()
    {
        _f.Node("n1");
        for (var i = 0; i < 250; i++)
        {
            _f.Pod($"web-{i}", "n1", Web, $"10.244.{1 + i / 200}.{1 + i % 200}");
        }

        _f.Service("web", Web);
        var slices = await _f.SlicesWhenAsync("web", s => Holds(s, 250));
        Assert.That(slices.Select(s => s.Endpoints.Count).Order(), Is.EqualTo(new[] { 50, 100, 100 }));
        Assert.That(WriterFixture.Addresses(slices).Distinct().Count(), Is.EqualTo(250));
    }

    [Test]
    public async Task PodsArriving_250_NoSliceOver100()
    {
        // As upstream, slices are not rebalanced: a batch that does not fit the fullest slice starts a new one.
        _f.Node("n1");
        _f.Service("web", Web);
        for (var i = 0; i < 250; i++)
        {
            _f.Pod($"web-{i}", "n1", Web, $"10.244.{1 + i / 200}.{1 + i % 200}");
        }

        var slices = await _f.SlicesWhenAsync("web", s => Holds(s, 250));
        Assert.That(slices.Select(s => s.Endpoints.Count), Has.All.InRange(1, 100));
        Assert.That(WriterFixture.Addresses(slices).Distinct().Count(), Is.EqualTo(250));
    }

    [Test]
    public async Task PodReplaced_FullSlice_NewEndpointFillsTheGapInsteadOfANewSlice()
    {
        await _f.DisposeAsync();
        _f = WriterFixture.Started(maxEndpointsPerSlice: 3);
        _f.Node("n1");
        for (var i = 0; i < 3; i++) _f.Pod($"web-{i}", "n1", Web, $"10.244.1.{10 + i}");
        _f.Service("web", Web);
        var before = (await _f.SlicesWhenAsync("web", s => Holds(s, 3))).Single();
        _f.Store.Delete<V1Pod>("web-0", "default");
        _f.Pod("web-3", "n1", Web, "10.244.1.13");

        var after = (await _f.SlicesWhenAsync("web", s => WriterFixture.Addresses(s).Contains("10.244.1.13") && Holds(s, 3))).Single();
        Assert.That(after.Metadata.Name, Is.EqualTo(before.Metadata.Name));
        Assert.That(WriterFixture.Addresses([after]), Is.EqualTo(new[] { "10.244.1.11", "10.244.1.12", "10.244.1.13" }));
    }

    [Test]
    public async Task ServiceDeleted_SlicesGo()
    {
        _f.Node("n1");
        _f.Service("web", Web);
        _f.Pod("web-1", "n1", Web, "10.244.1.5");
        await _f.SlicesWhenAsync("web", s => Holds(s, 1));
        _f.Store.Delete<V1Service>("web", "default");

        Assert.That(await _f.SlicesWhenAsync("web", s => s.Count == 0), Is.Empty);
    }

    [Test]
    public async Task ServiceLosesSelector_SlicesGo()
    {
        _f.Node("n1");
        _f.Service("web", Web);
        _f.Pod("web-1", "n1", Web, "10.244.1.5");
        await _f.SlicesWhenAsync("web", s => Holds(s, 1));
        var service = _f.Store.Get<V1Service>("web", "default")!;
        service.Spec.Selector = null;
        _f.Store.Update(service);

        Assert.That(await _f.SlicesWhenAsync("web", s => s.Count == 0), Is.Empty);
    }

    [Test]
    public async Task ServiceWithoutSelector_SlicesOfOthersLeftAlone()
    {
        // Selectorless Services get their slices from someone else (here: a test); the writer must not touch them.
        _f.Service("external", null);
        _f.Store.Create(new V1EndpointSlice
        {
            Metadata = new V1ObjectMeta { Name = "external-1", Labels = new Dictionary<string, string> { ["kubernetes.io/service-name"] = "external" } },
            AddressType = "IPv4",
            Endpoints = [new V1Endpoint { Addresses = ["192.168.1.10"] }],
        });
        _f.Service("sentinel", Web);
        await _f.SlicesWhenAsync("sentinel", s => s.Count == 1);

        Assert.That(_f.Slices("external").Select(s => s.Metadata.Name), Is.EqualTo(new[] { "external-1" }));
    }

    [Test]
    public async Task ServiceTargetPortChanged_SliceRewrittenUnderItsName()
    {
        _f.Node("n1");
        _f.Service("web", Web);
        _f.Pod("web-1", "n1", Web, "10.244.1.5");
        var before = (await _f.SlicesWhenAsync("web", s => Holds(s, 1))).Single();
        var service = _f.Store.Get<V1Service>("web", "default")!;
        service.Spec.Ports[0].TargetPort = 9090;
        _f.Store.Update(service);

        var after = (await _f.SlicesWhenAsync("web", s => s.Count == 1 && s[0].Ports?.SingleOrDefault()?.Port == 9090)).Single();
        Assert.That(after.Metadata.Name, Is.EqualTo(before.Metadata.Name), "a slice to delete is reused for the one to create");
        Assert.That(WriterFixture.Addresses([after]), Is.EqualTo(new[] { "10.244.1.5" }));
    }

    [Test]
    public async Task ServiceRecreated_SlicesOfTheOldOneReplaced()
    {
        _f.Node("n1");
        _f.Service("web", Web);
        _f.Pod("web-1", "n1", Web, "10.244.1.5");
        var old = (await _f.SlicesWhenAsync("web", s => Holds(s, 1))).Single();
        _f.Store.Delete<V1Service>("web", "default");
        var recreated = _f.Service("web", Web);

        var slice = (await _f.SlicesWhenAsync("web", s => s.Count == 1 && s[0].Metadata.OwnerReferences.Single().Uid == recreated.Metadata.Uid)).Single();
        Assert.That(slice.Metadata.Name, Is.Not.EqualTo(old.Metadata.Name));
        Assert.That(WriterFixture.Addresses([slice]), Is.EqualTo(new[] { "10.244.1.5" }));
    }

    [Test]
    public async Task PodLabelChanged_LeavesTheService()
    {
        _f.Node("n1");
        _f.Service("web", Web);
        _f.Pod("web-1", "n1", Web, "10.244.1.5");
        _f.Pod("web-2", "n1", Web, "10.244.1.6");
        await _f.SlicesWhenAsync("web", s => Holds(s, 2));
        var pod = _f.Store.Get<V1Pod>("web-1", "default")!;
        pod.Metadata.Labels = new Dictionary<string, string> { ["app"] = "moved" };
        _f.Store.Update(pod);

        var slices = await _f.SlicesWhenAsync("web", s => Holds(s, 1));
        Assert.That(WriterFixture.Addresses(slices), Is.EqualTo(new[] { "10.244.1.6" }));
    }

    [Test]
    public async Task NodeZoneChanged_EndpointZoneFollows()
    {
        _f.Node("n1", zone: "zone-a");
        _f.Service("web", Web);
        _f.Pod("web-1", "n1", Web, "10.244.1.5");
        await _f.SlicesWhenAsync("web", s => s.SingleOrDefault()?.Endpoints.SingleOrDefault()?.Zone == "zone-a");
        var node = _f.Store.Get<V1Node>("n1")!;
        node.Metadata.Labels[PodEndpoints.ZoneLabel] = "zone-b";
        _f.Store.Update(node);

        await _f.SlicesWhenAsync("web", s => s.Single().Endpoints.Single().Zone == "zone-b");
    }

    [Test]
    public async Task ServiceLabels_CopiedToSlicesAndFollowed()
    {
        _f.Node("n1");
        var service = _f.Service("web", Web);
        _f.Pod("web-1", "n1", Web, "10.244.1.5");
        await _f.SlicesWhenAsync("web", s => Holds(s, 1));
        service = _f.Store.Get<V1Service>("web", "default")!;
        service.Metadata.Labels = new Dictionary<string, string> { ["team"] = "blue" };
        _f.Store.Update(service);

        var slice = (await _f.SlicesWhenAsync("web", s => s.Single().Metadata.Labels.ContainsKey("team"))).Single();
        Assert.That(slice.Metadata.Labels["team"], Is.EqualTo("blue"));
        Assert.That(slice.Endpoints, Has.Count.EqualTo(1));
    }

    [Test]
    public async Task HeadlessService_SlicesMarkedHeadless()
    {
        _f.Node("n1");
        _f.Store.Create(new V1Service
        {
            Metadata = new V1ObjectMeta { Name = "web" },
            Spec = new V1ServiceSpec { ClusterIP = "None", Selector = Web, Ports = [new V1ServicePort { Port = 80 }] },
        });
        _f.Pod("web-1", "n1", Web, "10.244.1.5");

        var slice = (await _f.SlicesWhenAsync("web", s => Holds(s, 1))).Single();
        Assert.That(slice.Metadata.Labels["service.kubernetes.io/headless"], Is.Empty);
    }

    [Test]
    public async Task ManagedSliceDeletedByOthers_Recreated()
    {
        _f.Node("n1");
        _f.Service("web", Web);
        _f.Pod("web-1", "n1", Web, "10.244.1.5");
        var original = (await _f.SlicesWhenAsync("web", s => Holds(s, 1))).Single();
        _f.Store.Delete<V1EndpointSlice>(original.Metadata.Name, "default");

        var repaired = (await _f.SlicesWhenAsync("web", s => s.Count == 1 && s[0].Metadata.Name != original.Metadata.Name && Holds(s, 1))).Single();
        Assert.That(repaired.Metadata.Annotations?.ContainsKey(EndpointSliceWriter.TriggerTimeAnnotation) ?? false, Is.False,
            "a repair is no Pod or Service change: no trigger time, as upstream");
    }

    [Test]
    public async Task NothingChanged_PodAnnotatedOrNodeHeartbeat_NoRewrite()
    {
        _f.Node("n1");
        _f.Service("web", Web);
        _f.Service("sentinel", new() { ["app"] = "sentinel" });
        _f.Pod("web-1", "n1", Web, "10.244.1.5");
        var before = (await _f.SlicesWhenAsync("web", s => Holds(s, 1))).Single();
        await _f.SlicesWhenAsync("sentinel", s => s.Count == 1);
        var writes = _f.Writer.Writes;

        var pod = _f.Store.Get<V1Pod>("web-1", "default")!;
        pod.Metadata.Annotations = new Dictionary<string, string> { ["note"] = "irrelevant to endpoints" };
        _f.Store.Update(pod);
        var node = _f.Store.Get<V1Node>("n1")!;
        node.Status = new V1NodeStatus { Conditions = [new V1NodeCondition { Type = "Ready", Status = "True" }] };
        _f.Store.Update(node, status: true);

        // Pods are watched in order: once the sentinel's pod is in, the annotated pod has been handled.
        _f.Pod("sentinel-1", "n1", new() { ["app"] = "sentinel" }, "10.244.1.9");
        await _f.SlicesWhenAsync("sentinel", s => Holds(s, 1));
        var after = _f.Slices("web").Single();
        Assert.That(after.Metadata.ResourceVersion, Is.EqualTo(before.Metadata.ResourceVersion));
        Assert.That(_f.Writer.Writes, Is.EqualTo(writes + 1), "only the sentinel's slice was written");
    }

    [Test]
    public async Task WriterRestarted_SlicesAlreadyRight_NoWrite()
    {
        _f.Node("n1");
        _f.Service("web", Web);
        for (var i = 0; i < 5; i++) _f.Pod($"web-{i}", "n1", Web, $"10.244.1.{10 + i}");
        var before = await _f.SlicesWhenAsync("web", s => Holds(s, 5));
        await _f.RestartWriterAsync();

        while (_f.Writer.Passes == 0) await Task.Delay(10);
        Assert.That(_f.Writer.Writes, Is.Zero);
        Assert.That(_f.Slices("web").Select(s => s.Metadata.ResourceVersion), Is.EqualTo(before.Select(s => s.Metadata.ResourceVersion)));
    }

    [Test]
    public async Task WriterRestarted_ServiceDeletedMeanwhile_OrphanedSlicesGo()
    {
        _f.Node("n1");
        _f.Service("web", Web);
        _f.Pod("web-1", "n1", Web, "10.244.1.5");
        await _f.SlicesWhenAsync("web", s => Holds(s, 1));
        await _f.Writer.DisposeAsync();
        _f.Store.Delete<V1Service>("web", "default");
        await _f.RestartWriterAsync();

        Assert.That(await _f.SlicesWhenAsync("web", s => s.Count == 0), Is.Empty);
    }

    [Test]
    public async Task TriggerTime_ServiceCreatedThenPodReady_AnnotationIsTheChangeTimeInRfc3339()
    {
        _f.Node("n1");
        _f.Service("web", Web);
        var placeholder = (await _f.SlicesWhenAsync("web", s => s.Count == 1)).Single();
        _f.Time.Advance(TimeSpan.FromSeconds(2.25));
        _f.Pod("web-1", "n1", Web, "10.244.1.5", ready: false);
        await _f.SlicesWhenAsync("web", s => Holds(s, 1));
        _f.Time.Advance(TimeSpan.FromSeconds(3));
        _f.SetReady("web-1", true);

        var ready = (await _f.SlicesWhenAsync("web", s => s.Single().Endpoints.SingleOrDefault()?.Conditions.Ready == true)).Single();
        Assert.That(placeholder.Metadata.Annotations[EndpointSliceWriter.TriggerTimeAnnotation], Is.EqualTo("2026-01-01T12:00:00.5Z"));
        Assert.That(ready.Metadata.Annotations[EndpointSliceWriter.TriggerTimeAnnotation], Is.EqualTo("2026-01-01T12:00:05.75Z"));
    }

    [Test]
    public void FormatTriggerTime_WholeSecond_NoFraction()
    {
        Assert.That(EndpointSliceWriter.FormatTriggerTime(new DateTimeOffset(2026, 1, 1, 13, 0, 0, TimeSpan.FromHours(1))), Is.EqualTo("2026-01-01T12:00:00Z"));
    }

    [Test]
    public async Task Disposed_ServiceCreated_NoSlices()
    {
        await _f.Writer.DisposeAsync();
        _f.Service("web", Web);
        await Task.Delay(100);
        Assert.That(_f.Slices("web"), Is.Empty);
    }
}
