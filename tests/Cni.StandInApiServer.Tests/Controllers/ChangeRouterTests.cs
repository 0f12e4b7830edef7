using System.Text.Json.Nodes;
using Cni.StandInApiServer.Controllers;
using Cni.StandInApiServer.Resources;
using Cni.StandInApiServer.Storage;

namespace Cni.StandInApiServer.Tests.Controllers;

public sealed class ChangeRouterTests
{
    private ChangeRouter _router = null!;

    private static JsonObject Service(string name, string? app) => new()
    {
        ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = "default" },
        ["spec"] = app is null ? new JsonObject() : new JsonObject { ["selector"] = new JsonObject { ["app"] = app } },
    };

    private static JsonObject Pod(string name, string app, string node = "n1", string ns = "default") => new()
    {
        ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns, ["labels"] = new JsonObject { ["app"] = app } },
        ["spec"] = new JsonObject { ["nodeName"] = node },
    };

    private static JsonObject Node(string name, string? zone) => new()
    {
        ["metadata"] = new JsonObject
        {
            ["name"] = name,
            ["labels"] = zone is null ? new JsonObject() : new JsonObject { [PodEndpoints.ZoneLabel] = zone },
        },
    };

    [SetUp]
    public void SetUp()
    {
        _router = new ChangeRouter();
        _router.Route(ResourceTypes.Services, WatchEventType.Added, Service("web", "web"));
        _router.Route(ResourceTypes.Services, WatchEventType.Added, Service("api", "api"));
        _router.Route(ResourceTypes.Services, WatchEventType.Added, Service("manual", null));
    }

    [Test]
    public void Route_PodRelabelled_ConcernsTheServicesBeforeAndAfter()
    {
        _router.Route(ResourceTypes.Pods, WatchEventType.Added, Pod("p", "web"));
        var services = _router.Route(ResourceTypes.Pods, WatchEventType.Modified, Pod("p", "api"));
        Assert.That(services, Is.EquivalentTo(new[] { "default/web", "default/api" }));
    }

    [Test]
    public void Route_PodInAnotherNamespace_ConcernsNone()
    {
        Assert.That(_router.Route(ResourceTypes.Pods, WatchEventType.Added, Pod("p", "web", ns: "other")), Is.Empty);
    }

    [Test]
    public void Route_NodeHeartbeat_ConcernsNoneButZoneChangeConcernsItsPodsServices()
    {
        _router.Route(ResourceTypes.Nodes, WatchEventType.Added, Node("n1", "a"));
        _router.Route(ResourceTypes.Pods, WatchEventType.Added, Pod("p", "web"));
        Assert.That(_router.Route(ResourceTypes.Nodes, WatchEventType.Modified, Node("n1", "a")), Is.Empty);
        Assert.That(_router.Route(ResourceTypes.Nodes, WatchEventType.Modified, Node("n1", "b")), Is.EqualTo(new[] { "default/web" }));
    }

    [Test]
    public void Route_SliceDeleted_ConcernsItsServiceFromMemory()
    {
        var slice = new JsonObject
        {
            ["metadata"] = new JsonObject
            {
                ["name"] = "web-abc", ["namespace"] = "default",
                ["labels"] = new JsonObject { [EndpointSlicePlanner.ServiceNameLabel] = "web" },
            },
        };
        _router.Route(ResourceTypes.EndpointSlices, WatchEventType.Added, slice);
        var deleted = new JsonObject { ["metadata"] = new JsonObject { ["name"] = "web-abc", ["namespace"] = "default" } };
        Assert.That(_router.Route(ResourceTypes.EndpointSlices, WatchEventType.Deleted, deleted), Is.EqualTo(new[] { "default/web" }));
    }
}
