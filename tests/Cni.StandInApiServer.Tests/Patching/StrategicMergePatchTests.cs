using System.Text.Json.Nodes;
using Cni.StandInApiServer.Patching;

namespace Cni.StandInApiServer.Tests.Patching;

public sealed class StrategicMergePatchTests
{
    private static string Apply(string kind, string target, string patch) =>
        StrategicMergePatch.Apply(kind, JsonNode.Parse(target)!.AsObject(), JsonNode.Parse(patch)).ToJsonString();

    [Test]
    public void Apply_DeleteFromPrimitiveList_RemovesValues()
    {
        var result = Apply("Node", """{"metadata":{"finalizers":["a","b","c"]}}""", """{"metadata":{"$deleteFromPrimitiveList/finalizers":["b"]}}""");
        Assert.That(result, Is.EqualTo("""{"metadata":{"finalizers":["a","c"]}}"""));
    }

    [Test]
    public void Apply_MergeStrategyPrimitiveList_Unions()
    {
        var result = Apply("Node", """{"metadata":{"finalizers":["a"]}}""", """{"metadata":{"finalizers":["b","a"]}}""");
        Assert.That(result, Is.EqualTo("""{"metadata":{"finalizers":["a","b"]}}"""));
    }

    [Test]
    public void Apply_SetElementOrderAndRetainKeys_OrderIgnoredKeysRetained()
    {
        var result = Apply("Node", """{"spec":{"a":1,"b":2,"c":3}}""",
            """{"spec":{"$retainKeys":["a","d"],"d":4},"$setElementOrder/conditions":[{"type":"Ready"}]}""");
        Assert.That(result, Is.EqualTo("""{"spec":{"a":1,"d":4}}"""));
    }

    [Test]
    public void Apply_DeleteDirectiveOnMap_RemovesIt()
    {
        var result = Apply("Node", """{"spec":{"taints":[{"key":"k"}]},"status":{}}""", """{"spec":{"$patch":"delete"}}""");
        Assert.That(result, Is.EqualTo("""{"status":{}}"""));
    }

    [Test]
    public void Apply_AtomicList_IsReplaced()
    {
        var result = Apply("EndpointSlice", """{"endpoints":[{"addresses":["10.0.0.1"]},{"addresses":["10.0.0.2"]}]}""",
            """{"endpoints":[{"addresses":["10.0.0.3"]}]}""");
        Assert.That(result, Is.EqualTo("""{"endpoints":[{"addresses":["10.0.0.3"]}]}"""));
    }
}
