using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace Cni.StandInApiServer.Tests;

/// <summary>A started stand-in server plus an HttpClient and small helpers for raw REST calls.</summary>
internal sealed class ServerHarness : IAsyncDisposable
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    private ServerHarness(StandInApiServer server)
    {
        Server = server;
        Http = new HttpClient { BaseAddress = server.BaseAddress, Timeout = Patience };
    }

    public StandInApiServer Server { get; }

    public HttpClient Http { get; }

    public static async Task<ServerHarness> StartAsync(StandInApiServerOptions? options = null)
    {
        var server = new StandInApiServer(options ?? new StandInApiServerOptions());
        await server.StartAsync(CancellationToken.None);
        return new ServerHarness(server);
    }

    public async Task<(HttpStatusCode Code, JsonObject Body)> SendAsync(HttpMethod method, string path, JsonNode? body = null,
        string contentType = "application/json", string? accept = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        }

        if (accept is not null) request.Headers.TryAddWithoutValidation("Accept", accept);
        using var response = await Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, JsonNode.Parse(text)!.AsObject());
    }

    public Task<(HttpStatusCode Code, JsonObject Body)> GetAsync(string path, string? accept = null) =>
        SendAsync(HttpMethod.Get, path, accept: accept);

    public Task<(HttpStatusCode Code, JsonObject Body)> PostAsync(string path, JsonNode body) => SendAsync(HttpMethod.Post, path, body);

    public Task<(HttpStatusCode Code, JsonObject Body)> PutAsync(string path, JsonNode body) => SendAsync(HttpMethod.Put, path, body);

    public Task<(HttpStatusCode Code, JsonObject Body)> PatchAsync(string path, JsonNode body, string contentType) =>
        SendAsync(HttpMethod.Patch, path, body, contentType);

    public async Task<JsonObject> CreateNodeAsync(string name, JsonObject? labels = null)
    {
        var (code, body) = await PostAsync("/api/v1/nodes", Objects.Node(name, labels));
        Assert.That(code, Is.EqualTo(HttpStatusCode.Created), body.ToJsonString());
        return body;
    }

    public async Task<JsonObject> CreateServiceAsync(JsonObject service, string ns = "default")
    {
        var (code, body) = await PostAsync($"/api/v1/namespaces/{ns}/services", service);
        Assert.That(code, Is.EqualTo(HttpStatusCode.Created), body.ToJsonString());
        return body;
    }

    public async Task<JsonObject> CreatePodAsync(JsonObject pod, string ns = "default")
    {
        var (code, body) = await PostAsync($"/api/v1/namespaces/{ns}/pods", pod);
        Assert.That(code, Is.EqualTo(HttpStatusCode.Created), body.ToJsonString());
        return body;
    }

    public async Task<WatchReader> WatchAsync(string pathAndQuery)
    {
        var response = await Http.GetAsync(pathAndQuery, HttpCompletionOption.ResponseHeadersRead);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        return new WatchReader(response, await response.Content.ReadAsStreamAsync());
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Server.DisposeAsync();
    }
}

/// <summary>Reads a watch stream line by line.</summary>
internal sealed class WatchReader(HttpResponseMessage response, Stream stream) : IDisposable
{
    private readonly StreamReader _reader = new(stream);

    /// <summary>The next event, or null at the end of the stream.</summary>
    public async Task<JsonObject?> NextAsync()
    {
        using var cts = new CancellationTokenSource(ServerHarness.Patience);
        var line = await _reader.ReadLineAsync(cts.Token);
        return line is null ? null : JsonNode.Parse(line)!.AsObject();
    }

    /// <summary>Reads until the end of the stream; returns the events seen.</summary>
    public async Task<List<JsonObject>> ReadToEndAsync()
    {
        var events = new List<JsonObject>();
        while (await NextAsync() is { } e) events.Add(e);
        return events;
    }

    public void Dispose()
    {
        _reader.Dispose();
        response.Dispose();
    }
}

/// <summary>Object bodies for requests.</summary>
internal static class Objects
{
    public static JsonObject Node(string name, JsonObject? labels = null) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "Node",
        ["metadata"] = new JsonObject { ["name"] = name, ["labels"] = labels ?? new JsonObject() },
        ["spec"] = new JsonObject { ["podCIDR"] = "10.244.1.0/24" },
    };

    public static JsonObject Service(string name, string type = "ClusterIP", int port = 80) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "Service",
        ["metadata"] = new JsonObject { ["name"] = name },
        ["spec"] = new JsonObject
        {
            ["type"] = type,
            ["selector"] = new JsonObject { ["app"] = name },
            ["ports"] = new JsonArray(new JsonObject { ["name"] = "http", ["port"] = port }),
        },
    };

    public static JsonObject EndpointSlice(string name, string service, params string[] addresses) => new()
    {
        ["apiVersion"] = "discovery.k8s.io/v1",
        ["kind"] = "EndpointSlice",
        ["metadata"] = new JsonObject
        {
            ["name"] = name,
            ["labels"] = new JsonObject { ["kubernetes.io/service-name"] = service },
        },
        ["addressType"] = "IPv4",
        ["ports"] = new JsonArray(new JsonObject { ["name"] = "http", ["port"] = 8080 }),
        ["endpoints"] = new JsonArray(addresses.Select(a => (JsonNode)new JsonObject
        {
            ["addresses"] = new JsonArray(a),
            ["conditions"] = new JsonObject { ["ready"] = true },
        }).ToArray()),
    };

    /// <summary>A pod with one container; <paramref name="node"/> schedules it, <paramref name="ports"/> are named
    /// container ports ("http:8080").</summary>
    public static JsonObject Pod(string name, string? node = null, JsonObject? labels = null, params string[] ports)
    {
        var spec = new JsonObject
        {
            ["containers"] = new JsonArray(new JsonObject
            {
                ["name"] = "main",
                ["image"] = "busybox:1.36",
                ["ports"] = new JsonArray(ports.Select(p => (JsonNode)new JsonObject
                {
                    ["name"] = p.Split(':')[0],
                    ["containerPort"] = int.Parse(p.Split(':')[1], System.Globalization.CultureInfo.InvariantCulture),
                }).ToArray()),
            }),
        };
        if (node is not null) spec["nodeName"] = node;
        return new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Pod",
            ["metadata"] = new JsonObject { ["name"] = name, ["labels"] = labels ?? new JsonObject() },
            ["spec"] = spec,
        };
    }

    /// <summary>The status a kubelet reports for a running pod at <paramref name="ip"/>.</summary>
    public static JsonObject RunningStatus(string ip, bool ready = true) => new()
    {
        ["status"] = new JsonObject
        {
            ["phase"] = "Running",
            ["podIP"] = ip,
            ["podIPs"] = new JsonArray(new JsonObject { ["ip"] = ip }),
            ["conditions"] = new JsonArray(new JsonObject { ["type"] = "Ready", ["status"] = ready ? "True" : "False" }),
            ["containerStatuses"] = new JsonArray(new JsonObject
            {
                ["name"] = "main",
                ["ready"] = ready,
                ["restartCount"] = 0,
                ["state"] = new JsonObject { ["running"] = new JsonObject { ["startedAt"] = "2026-01-01T00:00:00Z" } },
            }),
        },
    };

    public static JsonObject Namespace(string name) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "Namespace",
        ["metadata"] = new JsonObject { ["name"] = name },
    };

    public static string Rv(JsonObject obj) => (string)obj["metadata"]!["resourceVersion"]!;

    public static string[] Names(JsonObject list) =>
        list["items"]!.AsArray().Select(i => (string)i!["metadata"]!["name"]!).ToArray();
}
