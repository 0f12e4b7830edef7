using System.Collections.Concurrent;
using System.Text.Json;
using Cni.Spec.Wire;

namespace Cni.Plugin.Tests.Fakes;

/// <summary>
/// The fake daemon's default behaviour: a tiny attachment table with the daemon's contract (idempotent ADD with a
/// result in the request's version, idempotent DEL, CHECK against the table, GC by valid list, STATUS ready), so
/// vectors that need a sequence (ADD then CHECK, GC after ADDs) run against something that keeps state.
/// The results are written by hand per version, independently of Cni.Spec, so they also test the plugin's validation.
/// </summary>
public sealed class FakeNodeState
{
    private readonly ConcurrentDictionary<(string ContainerId, string IfName), string> _attachments = new();

    public IReadOnlyCollection<(string ContainerId, string IfName)> Attachments => [.. _attachments.Keys];

    public void Forget(string containerId, string ifName) => _attachments.TryRemove((containerId, ifName), out _);

    public FakeDaemonResponse Handle(DaemonRequest request)
    {
        var version = request.Config.TryGetProperty("cniVersion", out var v) ? v.GetString() ?? "" : "";
        switch (request.Command)
        {
            case "ADD":
                var key = (request.ContainerId, request.IfName);
                var result = _attachments.GetOrAdd(key, _ => ResultFor(version, request.Netns, request.IfName));
                return FakeDaemonResponse.Ok(result);
            case "DEL":
                _attachments.TryRemove((request.ContainerId, request.IfName), out _);
                return FakeDaemonResponse.Ok();
            case "CHECK":
                return _attachments.ContainsKey((request.ContainerId, request.IfName))
                    ? FakeDaemonResponse.Ok()
                    : new FakeDaemonResponse(404, $$"""{"cniVersion":"{{version}}","code":3,"msg":"no endpoint for container {{request.ContainerId}} interface {{request.IfName}}"}""");
            case "GC":
                var valid = ValidAttachments(request.Config);
                if (valid is not null)
                {
                    foreach (var attachment in _attachments.Keys.Where(a => !valid.Contains(a)))
                    {
                        _attachments.TryRemove(attachment, out _);
                    }
                }

                return FakeDaemonResponse.Ok();
            case "STATUS":
                return FakeDaemonResponse.Ok();
            default:
                return new FakeDaemonResponse(400, $$"""{"code":4,"msg":"unknown command {{request.Command}}"}""");
        }
    }

    /// <summary>The canonical result the fake hands out, in the requested version's exact shape.</summary>
    public static string ResultFor(string version, string netns, string ifName)
    {
        var sandbox = JsonSerializer.Serialize(netns, WireTestJsonContext.Default.String);
        var name = JsonSerializer.Serialize(ifName, WireTestJsonContext.Default.String);
        return version switch
        {
            "1.1.0" => $$$"""{"cniVersion":"1.1.0","interfaces":[{"name":{{{name}}},"mac":"0a:58:0a:01:00:05","mtu":1450,"sandbox":{{{sandbox}}}}],"ips":[{"address":"10.1.0.5/16","gateway":"10.1.0.1","interface":0}],"routes":[{"dst":"0.0.0.0/0","gw":"10.1.0.1"}],"dns":{"nameservers":["10.96.0.10"]}}""",
            "1.0.0" => $$$"""{"cniVersion":"1.0.0","interfaces":[{"name":{{{name}}},"mac":"0a:58:0a:01:00:05","sandbox":{{{sandbox}}}}],"ips":[{"address":"10.1.0.5/16","gateway":"10.1.0.1","interface":0}],"routes":[{"dst":"0.0.0.0/0","gw":"10.1.0.1"}],"dns":{"nameservers":["10.96.0.10"]}}""",
            _ => $$$"""{"cniVersion":"{{{version}}}","interfaces":[{"name":{{{name}}},"mac":"0a:58:0a:01:00:05","sandbox":{{{sandbox}}}}],"ips":[{"version":"4","address":"10.1.0.5/16","gateway":"10.1.0.1","interface":0}],"routes":[{"dst":"0.0.0.0/0","gw":"10.1.0.1"}],"dns":{"nameservers":["10.96.0.10"]}}""",
        };
    }

    private static HashSet<(string, string)>? ValidAttachments(JsonElement config)
    {
        if (!config.TryGetProperty("cni.dev/valid-attachments", out var list) && !config.TryGetProperty("cni.dev/attachments", out list))
        {
            return null;
        }

        return [.. list.EnumerateArray().Select(a => (a.GetProperty("containerID").GetString()!, a.GetProperty("ifname").GetString()!))];
    }
}
