using System.Text.Json;
using Cni.Hcn.Errors;
using Cni.Hcn.Json;
using Cni.Hcn.Model;
using Cni.Hcn.Model.Policies;
using Cni.Hcn.Versioning;
using Cni.Hcn.Windows;

namespace Cni.Hcn.Tests.Windows;

/// <summary>WindowsHcn's documents and call sequences, observed at the native seam.</summary>
[TestFixture]
public sealed class WindowsHcnTests
{
    private const string DefaultQuery = """{"SchemaVersion":{"Major":2,"Minor":0}}""";

    private FakeHcnNativeApi _api = null!;
    private IHcn _hcn = null!;

    [SetUp]
    public void SetUp()
    {
        _api = new FakeHcnNativeApi();
        _hcn = new WindowsHcn(_api);
    }

    [TearDown]
    public void TearDown()
    {
        Assert.That(_api.OutstandingBuffers, Is.Zero, "unfreed CoTaskMem buffers");
        Assert.That(_api.OpenHandles, Is.Zero, "handles left open");
        Assert.That(_api.Problems, Is.Empty);
    }

    [Test]
    [CancelAfter(10_000)]
    public async Task CreateNetworkAsync_Network_SendsItsJsonAndRequestedIdThenReadsItBack(CancellationToken cancellationToken)
    {
        var id = Guid.NewGuid();
        var network = new HostComputeNetwork { Id = id, Name = "cbr0", Type = NetworkType.L2Bridge };
        _api.Handler = c => NativeReply.Ok(c.Export == "HcnQueryNetworkProperties"
            ? $$"""{"ID":"{{id.ToString("D").ToUpperInvariant()}}","Name":"cbr0","Type":"L2Bridge","Owner":"HNS","State":1}"""
            : null);

        var created = await _hcn.CreateNetworkAsync(network, cancellationToken);

        Assert.That(_api.Exports, Is.EqualTo(new[] { "HcnCreateNetwork", "HcnQueryNetworkProperties", "HcnCloseNetwork" }));
        Assert.That(_api.Calls[0].Id, Is.EqualTo(id));
        Assert.That(_api.Calls[0].Json, Is.EqualTo(HcnJson.Serialize(network)));
        Assert.That(_api.Calls[1].Json, Is.EqualTo(DefaultQuery));
        Assert.That(created.Id, Is.EqualTo(id));
        Assert.That(created.Type, Is.EqualTo(NetworkType.L2Bridge));
    }

    [Test]
    [CancelAfter(10_000)]
    public async Task CreateNetworkAsync_NoId_SendsTheZeroGuid(CancellationToken cancellationToken)
    {
        _api.Handler = c => NativeReply.Ok(c.Export == "HcnQueryNetworkProperties" ? $$"""{"ID":"{{Guid.NewGuid()}}"}""" : null);

        var created = await _hcn.CreateNetworkAsync(new HostComputeNetwork { Name = "n" }, cancellationToken);

        Assert.That(_api.Calls[0].Id, Is.EqualTo(Guid.Empty));
        Assert.That(created.Type, Is.EqualTo(NetworkType.Nat), "HNS omits the NAT default");
    }

    [Test]
    [CancelAfter(10_000)]
    public async Task CreateEndpointAsync_Endpoint_IsCreatedOnTheOpenedNetworkWithItsIdInTheDocument(CancellationToken cancellationToken)
    {
        var networkId = Guid.NewGuid();
        var endpointId = Guid.NewGuid();
        _api.Handler = c => NativeReply.Ok(c.Export == "HcnQueryEndpointProperties"
            ? $$"""{"ID":"{{endpointId}}","Name":"pod_eth0","HostComputeNetwork":"{{networkId}}","MacAddress":"00-15-5D-01-02-03"}"""
            : null);

        var endpoint = await _hcn.CreateEndpointAsync(networkId, new HostComputeEndpoint
        {
            Name = "pod_eth0",
            IpConfigurations = [new IpConfig { IpAddress = "10.244.1.15", PrefixLength = 24 }],
            Policies = [EndpointPolicy.Create(new OutboundNatPolicySetting { Exceptions = ["10.244.0.0/16"] })],
        }, cancellationToken);

        Assert.That(_api.Exports, Is.EqualTo(new[]
        {
            "HcnOpenNetwork", "HcnCreateEndpoint", "HcnQueryEndpointProperties", "HcnCloseEndpoint", "HcnCloseNetwork",
        }));
        Assert.That(_api.Calls[0].Id, Is.EqualTo(networkId));
        using var sent = JsonDocument.Parse(_api.Calls[1].Json!);
        Assert.That(sent.RootElement.GetProperty("HostComputeNetwork").GetString(), Is.EqualTo(networkId.ToString("D")));
        Assert.That(sent.RootElement.GetProperty("Policies")[0].GetProperty("Type").GetString(), Is.EqualTo("OutBoundNAT"));
        Assert.That(sent.RootElement.TryGetProperty("HostComputeNamespace", out _), Is.False);
        Assert.That(endpoint.Id, Is.EqualTo(endpointId));
        Assert.That(endpoint.MacAddress, Is.EqualTo("00-15-5D-01-02-03"));
    }

    [Test]
    [CancelAfter(10_000)]
    public void CreateEndpointAsync_NamespaceSet_ThrowsInvalidParameterWithoutCallingHns(CancellationToken cancellationToken)
    {
        var ex = Assert.ThrowsAsync<HcnException>(() => _hcn.CreateEndpointAsync(
            Guid.NewGuid(), new HostComputeEndpoint { Name = "x", HostComputeNamespace = Guid.NewGuid() }, cancellationToken));

        Assert.That(ex!.HResult, Is.EqualTo(HcnErrorCodes.InvalidParameter));
        Assert.That(_api.Calls, Is.Empty);
    }

    [Test]
    [CancelAfter(10_000)]
    public async Task EnumerateNetworksAsync_ByName_SendsTheFilterAndReadsEveryId(CancellationToken cancellationToken)
    {
        var a = Guid.NewGuid();
        var b = Guid.NewGuid();
        _api.Handler = c => c.Export switch
        {
            "HcnEnumerateNetworks" => NativeReply.Ok($$"""["{{a}}","{{{b.ToString("D").ToUpperInvariant()}}}"]"""),
            "HcnQueryNetworkProperties" => NativeReply.Ok("""{"Name":"cbr0"}"""),
            _ => NativeReply.Ok(),
        };

        var found = await _hcn.EnumerateNetworksAsync(HostComputeQuery.ByName("cbr0"), cancellationToken);

        Assert.That(found, Has.Count.EqualTo(2));
        using var query = JsonDocument.Parse(_api.Calls[0].Json!);
        Assert.That(query.RootElement.GetProperty("Filter").GetString(), Is.EqualTo("""{"Name":"cbr0"}"""), "the filter is JSON inside a string");
        Assert.That(query.RootElement.GetProperty("SchemaVersion").GetProperty("Major").GetInt32(), Is.EqualTo(2));
        Assert.That(_api.Calls.Where(c => c.Export == "HcnOpenNetwork").Select(c => c.Id), Is.EqualTo(new Guid?[] { a, b }));
    }

    [Test]
    [CancelAfter(10_000)]
    public async Task EnumerateEndpointsAsync_ObjectDeletedAfterEnumeration_IsSkipped(CancellationToken cancellationToken)
    {
        var gone = Guid.NewGuid();
        var kept = Guid.NewGuid();
        _api.Handler = c => c.Export switch
        {
            "HcnEnumerateEndpoints" => NativeReply.Ok($$"""["{{gone}}","{{kept}}"]"""),
            "HcnOpenEndpoint" when c.Id == gone => new NativeReply(HcnErrorCodes.ElementNotFound, ReturnsHandle: false),
            "HcnQueryEndpointProperties" => NativeReply.Ok($$"""{"ID":"{{kept}}"}"""),
            _ => NativeReply.Ok(),
        };

        var found = await _hcn.EnumerateEndpointsAsync(null, cancellationToken);

        Assert.That(found.Select(e => e.Id), Is.EqualTo(new[] { kept }));
        Assert.That(_api.Calls[0].Json, Is.EqualTo(DefaultQuery));
    }

    [TestCase("{\"not\":\"an array\"}")]
    [TestCase("[42]")]
    [TestCase("[\"not-a-guid\"]")]
    [TestCase("garbage")]
    [CancelAfter(10_000)]
    public void EnumerateNamespacesAsync_ResultNotAGuidArray_ThrowsInvalidData(string result, CancellationToken cancellationToken)
    {
        _api.Handler = _ => NativeReply.Ok(result);

        var ex = Assert.ThrowsAsync<HcnException>(() => _hcn.EnumerateNamespacesAsync(null, cancellationToken));

        Assert.That(ex!.HResult, Is.EqualTo(HcnErrorCodes.InvalidData), ex.Message);
    }

    [Test]
    [CancelAfter(10_000)]
    public void GetNetworkAsync_PropertiesNotJson_ThrowsInvalidDataAfterClosingTheHandle(CancellationToken cancellationToken)
    {
        _api.Handler = c => NativeReply.Ok(c.Export == "HcnQueryNetworkProperties" ? "<xml/>" : null);

        var ex = Assert.ThrowsAsync<HcnException>(() => _hcn.GetNetworkAsync(Guid.NewGuid(), cancellationToken));

        Assert.That(ex!.HResult, Is.EqualTo(HcnErrorCodes.InvalidData));
        Assert.That(_api.Exports.Last(), Is.EqualTo("HcnCloseNetwork"));
    }

    [Test]
    [CancelAfter(10_000)]
    public void GetNamespaceAsync_Unknown_ThrowsNotFoundWithTheHnsRecord(CancellationToken cancellationToken)
    {
        _api.Handler = _ => new NativeReply(HcnErrorCodes.ElementNotFound, ErrorRecord: """{"Success":false,"Error":"Element not found. ","ErrorCode":2147943568}""", ReturnsHandle: false);

        var ex = Assert.ThrowsAsync<HcnException>(() => _hcn.GetNamespaceAsync(Guid.NewGuid(), cancellationToken));

        Assert.That(ex!.IsNotFound, Is.True);
        Assert.That(ex.ErrorRecord?.Error, Is.EqualTo("Element not found."));
        Assert.That(ex.Operation, Does.StartWith("HcnOpenNamespace "));
    }

    [Test]
    [CancelAfter(10_000)]
    public async Task AddNamespaceEndpointAsync_Attach_SendsTheModifyEnvelope(CancellationToken cancellationToken)
    {
        var ns = Guid.NewGuid();
        var endpoint = Guid.NewGuid();

        await _hcn.AddNamespaceEndpointAsync(ns, endpoint, cancellationToken);

        Assert.That(_api.Exports, Is.EqualTo(new[] { "HcnOpenNamespace", "HcnModifyNamespace", "HcnQueryNamespaceProperties", "HcnCloseNamespace" }));
        using var sent = JsonDocument.Parse(_api.Calls[1].Json!);
        Assert.That(sent.RootElement.GetProperty("ResourceType").GetString(), Is.EqualTo("Endpoint"));
        Assert.That(sent.RootElement.GetProperty("RequestType").GetString(), Is.EqualTo("Add"));
        Assert.That(sent.RootElement.GetProperty("Settings").GetProperty("EndpointId").GetString(), Is.EqualTo(endpoint.ToString("D")));
    }

    [Test]
    [CancelAfter(10_000)]
    public async Task ModifyLoadBalancerAsync_NewState_SendsTheWholeObjectWithoutEnvelope(CancellationToken cancellationToken)
    {
        var id = Guid.NewGuid();
        var lb = new HostComputeLoadBalancer
        {
            HostComputeEndpoints = [Guid.NewGuid()],
            FrontendVips = ["10.96.0.10"],
            PortMappings = [new LoadBalancerPortMapping { Protocol = ProtocolType.Tcp, ExternalPort = 80, InternalPort = 8080 }],
        };

        await _hcn.ModifyLoadBalancerAsync(id, lb, cancellationToken);

        Assert.That(_api.Calls[1].Export, Is.EqualTo("HcnModifyLoadBalancer"));
        Assert.That(_api.Calls[1].Json, Is.EqualTo(HcnJson.Serialize(lb with { Id = id })));
        Assert.That(_api.Calls[1].Json, Does.Not.Contain("RequestType"));
    }

    [Test]
    [CancelAfter(10_000)]
    public void ModifyLoadBalancerAsync_OldHns_SurfacesNotImplemented(CancellationToken cancellationToken)
    {
        _api.Handler = c => c.Export == "HcnModifyLoadBalancer" ? new NativeReply(HcnErrorCodes.NotImplemented) : NativeReply.Ok();

        var ex = Assert.ThrowsAsync<HcnException>(() => _hcn.ModifyLoadBalancerAsync(Guid.NewGuid(), new HostComputeLoadBalancer(), cancellationToken));

        Assert.That(ex!.IsNotImplemented, Is.True);
    }

    [Test]
    [CancelAfter(10_000)]
    public void CreateSdnRouteAsync_NoEndpoints_ThrowsInvalidParameterWithoutCallingHns(CancellationToken cancellationToken)
    {
        var ex = Assert.ThrowsAsync<HcnException>(() => _hcn.CreateSdnRouteAsync(new HostComputeRoute(), cancellationToken));

        Assert.That(ex!.HResult, Is.EqualTo(HcnErrorCodes.InvalidParameter));
        Assert.That(_api.Calls, Is.Empty);
    }

    [Test]
    [CancelAfter(10_000)]
    public void CreateSdnRouteAsync_ExportMissing_SurfacesProcNotFound(CancellationToken cancellationToken)
    {
        _api.Handler = _ => new NativeReply(HcnErrorCodes.ProcNotFound, ReturnsHandle: false);

        var ex = Assert.ThrowsAsync<HcnException>(() => _hcn.CreateSdnRouteAsync(new HostComputeRoute { HostComputeEndpoints = [Guid.NewGuid()] }, cancellationToken));

        Assert.That(ex!.HResult, Is.EqualTo(HcnErrorCodes.ProcNotFound));
    }

    [Test]
    [CancelAfter(10_000)]
    public async Task DeleteEndpointAsync_Id_CallsDeleteOnly(CancellationToken cancellationToken)
    {
        var id = Guid.NewGuid();

        await _hcn.DeleteEndpointAsync(id, cancellationToken);

        Assert.That(_api.Calls.Select(c => (c.Export, c.Id)), Is.EqualTo(new[] { ("HcnDeleteEndpoint", (Guid?)id) }));
    }

    [Test]
    [CancelAfter(10_000)]
    public async Task GetVersionAsync_HnsCallOutput_IsTheVersion(CancellationToken cancellationToken)
    {
        _api.Handler = _ => NativeReply.Ok("""{"Success":true,"Error":"","Output":{"Major":13,"Minor":2}}""");

        var version = await _hcn.GetVersionAsync(cancellationToken);
        var features = await _hcn.GetFeaturesAsync(cancellationToken);

        Assert.That(version, Is.EqualTo(new HcnVersion(13, 2)));
        Assert.That(features.L4WfpProxy, Is.True);
        Assert.That(features.ModifyLoadBalancer, Is.False);
    }

    [Test]
    [CancelAfter(10_000)]
    public async Task GetFeaturesAsync_VersionUnreadable_IsNone(CancellationToken cancellationToken)
    {
        _api.Handler = _ => new NativeReply(HcnErrorCodes.ProcNotFound);

        var features = await _hcn.GetFeaturesAsync(cancellationToken);

        Assert.That(features, Is.EqualTo(HcnFeatures.None));
    }

    [Test]
    public void AnyCall_CancelledToken_MakesNoNativeCall()
    {
        var cancelled = new CancellationToken(canceled: true);

        Assert.CatchAsync<OperationCanceledException>(() => _hcn.GetNetworkAsync(Guid.NewGuid(), cancelled));
        Assert.CatchAsync<OperationCanceledException>(() => _hcn.EnumerateEndpointsAsync(null, cancelled));
        Assert.CatchAsync<OperationCanceledException>(() => _hcn.DeleteNamespaceAsync(Guid.NewGuid(), cancelled));
        Assert.CatchAsync<OperationCanceledException>(() => _hcn.CreateLoadBalancerAsync(new HostComputeLoadBalancer(), cancelled));
        Assert.CatchAsync<OperationCanceledException>(() => _hcn.GetVersionAsync(cancelled));

        Assert.That(_api.Calls, Is.Empty);
    }
}
