using k8s;
using k8s.Models;

namespace Cni.Node.Tests.Kubernetes;

/// <summary>Node JSON and waiting helpers for the Kubernetes tests.</summary>
internal static class KubernetesTestObjects
{
    public static V1Node NodeObject(string name, string resourceVersion, string? podCidr = null, IDictionary<string, string>? annotations = null, string? internalIp = null) => new()
    {
        ApiVersion = "v1",
        Kind = "Node",
        Metadata = new V1ObjectMeta { Name = name, ResourceVersion = resourceVersion, Annotations = annotations },
        Spec = new V1NodeSpec { PodCIDR = podCidr, PodCIDRs = podCidr is null ? null : [podCidr] },
        Status = internalIp is null ? null : new V1NodeStatus { Addresses = [new V1NodeAddress { Type = "InternalIP", Address = internalIp }] },
    };

    public static string NodeJson(string name, string resourceVersion, string? podCidr = null, IDictionary<string, string>? annotations = null, string? internalIp = null) =>
        KubernetesJson.Serialize(NodeObject(name, resourceVersion, podCidr, annotations, internalIp));

    public static string NodeListJson(string resourceVersion, string? continueToken, params string[] nodeJsons)
    {
        var continuePart = continueToken is null ? string.Empty : $",\"continue\":\"{continueToken}\"";
        return "{\"kind\":\"NodeList\",\"apiVersion\":\"v1\",\"metadata\":{\"resourceVersion\":\"" + resourceVersion + "\"" + continuePart
            + "},\"items\":[" + string.Join(",", nodeJsons) + "]}";
    }

    public static string BookmarkJson(string resourceVersion) =>
        $$$"""{"kind":"Node","apiVersion":"v1","metadata":{"resourceVersion":"{{{resourceVersion}}}"}}""";

    public static string GoneStatusJson() =>
        """{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"too old resource version: 5 (100)","reason":"Expired","code":410}""";

    /// <summary>Polls a condition (real time, generous bound: the box is shared).</summary>
    public static async Task WaitUntilAsync(Func<bool> condition, string what, int timeoutSeconds = 20)
    {
        var deadline = DateTime.UtcNow.AddSeconds(timeoutSeconds);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"timed out waiting for {what}");
            }

            await Task.Delay(10);
        }
    }
}
