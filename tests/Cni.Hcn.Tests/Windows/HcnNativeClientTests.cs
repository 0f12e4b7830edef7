using Cni.Hcn.Errors;
using Cni.Hcn.Windows;

namespace Cni.Hcn.Tests.Windows;

[TestFixture]
public sealed class HcnNativeClientTests
{
    private const int ElementNotFound = unchecked((int)0x80070490);
    private const int PortAlreadyExists = unchecked((int)0x803B0013);
    private const string Query = """{"SchemaVersion":{"Major":2,"Minor":0}}""";

    private FakeHcnNativeApi _api = null!;
    private HcnNativeClient _client = null!;

    [SetUp]
    public void SetUp()
    {
        _api = new FakeHcnNativeApi();
        _client = new HcnNativeClient(_api);
    }

    [TearDown]
    public void TearDown()
    {
        // Every test, success or failure path, must leave no buffer unfreed and no handle open.
        Assert.That(_api.OutstandingBuffers, Is.Zero, "unfreed CoTaskMem buffers");
        Assert.That(_api.OpenHandles, Is.Zero, "handles left open");
        Assert.That(_api.Problems, Is.Empty);
    }

    [Test]
    public void Enumerate_Success_ReturnsJsonAndFreesBuffer()
    {
        _api.Handler = _ => NativeReply.Ok("""["5f0b1190-63be-4e0c-b974-bd0f55675a42"]""");

        var json = _client.Enumerate(HcnObjectKind.Network, Query);

        Assert.That(json, Is.EqualTo("""["5f0b1190-63be-4e0c-b974-bd0f55675a42"]"""));
        Assert.That(_api.FreedBuffers, Is.EqualTo(1));
    }

    [TestCase("Network", "HcnEnumerateNetworks")]
    [TestCase("Endpoint", "HcnEnumerateEndpoints")]
    [TestCase("Namespace", "HcnEnumerateNamespaces")]
    [TestCase("LoadBalancer", "HcnEnumerateLoadBalancers")]
    [TestCase("SdnRoute", "HcnEnumerateSdnRoutes")]
    public void Enumerate_AnyKind_SendsQueryVerbatimToThatKindsExport(string kindName, string export)
    {
        var kind = Enum.Parse<HcnObjectKind>(kindName);
        const string filtered = """{"SchemaVersion":{"Major":2,"Minor":0},"Filter":"{\"Name\":\"cbr0\"}"}""";
        _api.Handler = _ => NativeReply.Ok("[]");

        _client.Enumerate(kind, filtered);

        Assert.That(_api.Calls, Has.Count.EqualTo(1));
        Assert.That(_api.Calls[0].Export, Is.EqualTo(export));
        Assert.That(_api.Calls[0].Json, Is.EqualTo(filtered));
    }

    [Test]
    public void Enumerate_NullResult_ReturnsEmptyArray()
    {
        _api.Handler = _ => new NativeReply(0, Result: null);

        Assert.That(_client.Enumerate(HcnObjectKind.Endpoint, Query), Is.EqualTo("[]"));
    }

    [Test]
    public void Enumerate_FailedHResultWithResultAndRecord_ThrowsAndFreesBoth()
    {
        _api.Handler = _ => new NativeReply(ElementNotFound, "[]", """{"Success":false,"Error":"Element not found.","ErrorCode":2147943568}""");

        var ex = Assert.Throws<HcnException>(() => _client.Enumerate(HcnObjectKind.Network, Query));

        Assert.That(ex!.HResult, Is.EqualTo(ElementNotFound));
        Assert.That(ex.Operation, Is.EqualTo("HcnEnumerateNetworks"));
        Assert.That(ex.Message, Does.Contain("Element not found."));
        Assert.That(_api.FreedBuffers, Is.EqualTo(2));
    }

    [Test]
    public void Enumerate_SuccessHResultWithNonEmptyErrorRecord_ThrowsWithRecordErrorCode()
    {
        // hcsshim checkForErrors: a non-empty record is a failure even when the HRESULT is S_OK.
        _api.Handler = _ => new NativeReply(0, "[]", """{"Success":false,"Error":"An address provided is invalid or reserved. ","ErrorCode":2151350319}""");

        var ex = Assert.Throws<HcnException>(() => _client.Enumerate(HcnObjectKind.Network, Query));

        Assert.That(ex!.HResult, Is.EqualTo(unchecked((int)0x803B002F)));
        Assert.That(ex.ErrorRecord?.Error, Does.Contain("invalid or reserved"));
    }

    [Test]
    public void Enumerate_SuccessHResultWithNonJsonErrorRecord_ThrowsEFailKeepingText()
    {
        _api.Handler = _ => new NativeReply(0, "[]", "something went wrong");

        var ex = Assert.Throws<HcnException>(() => _client.Enumerate(HcnObjectKind.Network, Query));

        Assert.That(ex!.HResult, Is.EqualTo(unchecked((int)0x80004005)));
        Assert.That(ex.ErrorRecord?.Text, Is.EqualTo("something went wrong"));
    }

    [Test]
    public void Enumerate_EmptyErrorRecord_IsNotAFailure()
    {
        _api.Handler = _ => new NativeReply(0, "[]", string.Empty);

        Assert.That(_client.Enumerate(HcnObjectKind.Network, Query), Is.EqualTo("[]"));
        Assert.That(_api.FreedBuffers, Is.EqualTo(2));
    }

    [Test]
    public void Enumerate_PositiveSuccessCode_IsNotAFailure()
    {
        _api.Handler = _ => new NativeReply(1 /* S_FALSE */, "[]");

        Assert.That(_client.Enumerate(HcnObjectKind.Network, Query), Is.EqualTo("[]"));
    }

    [Test]
    public void Enumerate_FailureWithoutRecord_KeepsHResult()
    {
        _api.Handler = _ => new NativeReply(PortAlreadyExists);

        var ex = Assert.Throws<HcnException>(() => _client.Enumerate(HcnObjectKind.LoadBalancer, Query));

        Assert.That(ex!.HResult, Is.EqualTo(PortAlreadyExists));
        Assert.That(ex.ErrorRecord, Is.Null);
    }

    [Test]
    public void CreateAndQuery_NoId_SendsZeroGuidAndSettingsThenQueriesAndCloses()
    {
        const string settings = """{"Name":"cbr0","Type":"L2Bridge","SchemaVersion":{"Major":2,"Minor":0}}""";
        _api.Handler = c => NativeReply.Ok(c.Export == "HcnQueryNetworkProperties" ? """{"ID":"x"}""" : null);

        var json = _client.CreateAndQuery(HcnObjectKind.Network, Guid.Empty, settings, Query);

        Assert.That(json, Is.EqualTo("""{"ID":"x"}"""));
        Assert.That(_api.Exports, Is.EqualTo(new[] { "HcnCreateNetwork", "HcnQueryNetworkProperties", "HcnCloseNetwork" }));
        var calls = _api.Calls;
        Assert.That(calls[0].Id, Is.EqualTo(Guid.Empty));
        Assert.That(calls[0].Json, Is.EqualTo(settings));
        Assert.That(calls[1].Json, Is.EqualTo(Query));
        Assert.That(calls[1].Handle, Is.EqualTo(calls[2].Handle));
    }

    [Test]
    public void CreateAndQuery_WithId_PassesThatGuid()
    {
        var id = Guid.NewGuid();

        _client.CreateAndQuery(HcnObjectKind.LoadBalancer, id, "{}", Query);

        Assert.That(_api.Calls[0].Export, Is.EqualTo("HcnCreateLoadBalancer"));
        Assert.That(_api.Calls[0].Id, Is.EqualTo(id));
    }

    [TestCase("Network", "HcnCreateNetwork", "HcnQueryNetworkProperties", "HcnCloseNetwork")]
    [TestCase("Namespace", "HcnCreateNamespace", "HcnQueryNamespaceProperties", "HcnCloseNamespace")]
    [TestCase("LoadBalancer", "HcnCreateLoadBalancer", "HcnQueryLoadBalancerProperties", "HcnCloseLoadBalancer")]
    [TestCase("SdnRoute", "HcnCreateSdnRoute", "HcnQuerySdnRouteProperties", "HcnCloseSdnRoute")]
    public void CreateAndQuery_AnyKind_UsesThatKindsExports(string kindName, string create, string query, string close)
    {
        var kind = Enum.Parse<HcnObjectKind>(kindName);
        _client.CreateAndQuery(kind, Guid.Empty, "{}", Query);

        Assert.That(_api.Exports, Is.EqualTo(new[] { create, query, close }));
    }

    [Test]
    public void CreateAndQuery_QueryFails_StillClosesHandle()
    {
        _api.Handler = c => c.Export.StartsWith("HcnQuery", StringComparison.Ordinal) ? new NativeReply(ElementNotFound) : NativeReply.Ok();

        Assert.Throws<HcnException>(() => _client.CreateAndQuery(HcnObjectKind.Network, Guid.Empty, "{}", Query));

        Assert.That(_api.Exports.Last(), Is.EqualTo("HcnCloseNetwork"));
    }

    [Test]
    public void Create_FailureThatStillReturnsHandle_ClosesHandle()
    {
        _api.Handler = _ => new NativeReply(PortAlreadyExists, ErrorRecord: """{"ErrorCode":2151350291}""", ReturnsHandle: true);

        var ex = Assert.Throws<HcnException>(() => _client.Create(HcnObjectKind.LoadBalancer, Guid.Empty, "{}"));

        Assert.That(ex!.HResult, Is.EqualTo(PortAlreadyExists));
        Assert.That(_api.Exports, Is.EqualTo(new[] { "HcnCreateLoadBalancer", "HcnCloseLoadBalancer" }));
    }

    [Test]
    public void Create_SuccessWithoutHandle_Throws()
    {
        _api.Handler = _ => new NativeReply(0, ReturnsHandle: false);

        Assert.Throws<HcnException>(() => _client.Create(HcnObjectKind.Network, Guid.Empty, "{}"));
        Assert.That(_api.Exports, Is.EqualTo(new[] { "HcnCreateNetwork" }));
    }

    [Test]
    public void Create_EndpointKind_IsRejectedBeforeAnyCall()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => _client.Create(HcnObjectKind.Endpoint, Guid.Empty, "{}"));
        Assert.That(_api.Calls, Is.Empty);
    }

    [Test]
    public void CreateEndpointAndQuery_Success_OpensNetworkPassesItsHandleFirstAndClosesBoth()
    {
        var networkId = Guid.NewGuid();
        const string settings = """{"Name":"pod-eth0","HostComputeNetwork":"n"}""";

        _client.CreateEndpointAndQuery(networkId, Guid.Empty, settings, Query);

        Assert.That(_api.Exports, Is.EqualTo(new[]
        {
            "HcnOpenNetwork", "HcnCreateEndpoint", "HcnQueryEndpointProperties", "HcnCloseEndpoint", "HcnCloseNetwork",
        }));
        var calls = _api.Calls;
        Assert.That(calls[0].Id, Is.EqualTo(networkId));
        Assert.That(calls[1].Handle, Is.EqualTo(calls[4].Handle), "the endpoint is created on the opened network handle");
        Assert.That(calls[1].Id, Is.EqualTo(Guid.Empty));
        Assert.That(calls[1].Json, Is.EqualTo(settings));
        Assert.That(calls[2].Handle, Is.EqualTo(calls[3].Handle));
    }

    [Test]
    public void CreateEndpointAndQuery_NetworkMissing_ThrowsNotFoundWithoutCreating()
    {
        _api.Handler = c => c.Export == "HcnOpenNetwork" ? new NativeReply(ElementNotFound, ReturnsHandle: false) : NativeReply.Ok();

        var ex = Assert.Throws<HcnException>(() => _client.CreateEndpointAndQuery(Guid.NewGuid(), Guid.Empty, "{}", Query));

        Assert.That(ex!.HResult, Is.EqualTo(ElementNotFound));
        Assert.That(ex.Operation, Does.StartWith("HcnOpenNetwork "));
        Assert.That(_api.Exports, Is.EqualTo(new[] { "HcnOpenNetwork" }));
    }

    [Test]
    public void CreateEndpointAndQuery_CreateFails_ClosesNetwork()
    {
        _api.Handler = c => c.Export == "HcnCreateEndpoint"
            ? new NativeReply(unchecked((int)0x803B001E), ErrorRecord: """{"Error":"bad ip"}""", ReturnsHandle: false)
            : NativeReply.Ok();

        var ex = Assert.Throws<HcnException>(() => _client.CreateEndpointAndQuery(Guid.NewGuid(), Guid.Empty, "{}", Query));

        Assert.That(ex!.Operation, Does.StartWith("HcnCreateEndpoint"));
        Assert.That(_api.Exports, Is.EqualTo(new[] { "HcnOpenNetwork", "HcnCreateEndpoint", "HcnCloseNetwork" }));
    }

    [TestCase("Network", "HcnOpenNetwork", "HcnModifyNetwork", "HcnQueryNetworkProperties", "HcnCloseNetwork")]
    [TestCase("Endpoint", "HcnOpenEndpoint", "HcnModifyEndpoint", "HcnQueryEndpointProperties", "HcnCloseEndpoint")]
    [TestCase("Namespace", "HcnOpenNamespace", "HcnModifyNamespace", "HcnQueryNamespaceProperties", "HcnCloseNamespace")]
    [TestCase("LoadBalancer", "HcnOpenLoadBalancer", "HcnModifyLoadBalancer", "HcnQueryLoadBalancerProperties", "HcnCloseLoadBalancer")]
    [TestCase("SdnRoute", "HcnOpenSdnRoute", "HcnModifySdnRoute", "HcnQuerySdnRouteProperties", "HcnCloseSdnRoute")]
    public void ModifyAndQuery_AnyKind_OpensModifiesQueriesAndCloses(string kindName, string open, string modify, string query, string close)
    {
        var kind = Enum.Parse<HcnObjectKind>(kindName);
        var id = Guid.NewGuid();
        const string request = """{"ResourceType":"Endpoint","RequestType":"Add","Settings":{"EndpointId":"e"}}""";

        _client.ModifyAndQuery(kind, id, request, Query);

        Assert.That(_api.Exports, Is.EqualTo(new[] { open, modify, query, close }));
        Assert.That(_api.Calls[0].Id, Is.EqualTo(id));
        Assert.That(_api.Calls[1].Json, Is.EqualTo(request));
    }

    [Test]
    public void ModifyAndQuery_ModifyFails_ClosesHandleWithoutQuerying()
    {
        _api.Handler = c => c.Export == "HcnModifyNamespace"
            ? new NativeReply(unchecked((int)0x803B0014), ErrorRecord: """{"Success":false,"Error":"already attached","ErrorCode":2151350292}""")
            : NativeReply.Ok();

        var ex = Assert.Throws<HcnException>(() => _client.ModifyAndQuery(HcnObjectKind.Namespace, Guid.NewGuid(), "{}", Query));

        Assert.That(ex!.HResult, Is.EqualTo(unchecked((int)0x803B0014)));
        Assert.That(_api.Exports, Is.EqualTo(new[] { "HcnOpenNamespace", "HcnModifyNamespace", "HcnCloseNamespace" }));
    }

    [TestCase("Network", "HcnDeleteNetwork")]
    [TestCase("Endpoint", "HcnDeleteEndpoint")]
    [TestCase("Namespace", "HcnDeleteNamespace")]
    [TestCase("LoadBalancer", "HcnDeleteLoadBalancer")]
    [TestCase("SdnRoute", "HcnDeleteSdnRoute")]
    public void Delete_AnyKind_PassesGuidWithoutOpeningHandle(string kindName, string export)
    {
        var kind = Enum.Parse<HcnObjectKind>(kindName);
        var id = Guid.NewGuid();

        _client.Delete(kind, id);

        Assert.That(_api.Calls, Has.Count.EqualTo(1));
        Assert.That(_api.Calls[0].Export, Is.EqualTo(export));
        Assert.That(_api.Calls[0].Id, Is.EqualTo(id));
    }

    [Test]
    public void Delete_NotFound_ThrowsElementNotFound()
    {
        _api.Handler = _ => new NativeReply(ElementNotFound);

        var ex = Assert.Throws<HcnException>(() => _client.Delete(HcnObjectKind.Endpoint, Guid.NewGuid()));

        Assert.That(ex!.HResult, Is.EqualTo(ElementNotFound));
    }

    [TestCase("Network", typeof(HcnNetworkHandle), "HcnCloseNetwork")]
    [TestCase("Endpoint", typeof(HcnEndpointHandle), "HcnCloseEndpoint")]
    [TestCase("Namespace", typeof(HcnNamespaceHandle), "HcnCloseNamespace")]
    [TestCase("LoadBalancer", typeof(HcnLoadBalancerHandle), "HcnCloseLoadBalancer")]
    [TestCase("SdnRoute", typeof(HcnSdnRouteHandle), "HcnCloseSdnRoute")]
    public void Open_AnyKind_ReturnsThatKindsSafeHandleWhichClosesOnce(string kindName, Type handleType, string close)
    {
        var kind = Enum.Parse<HcnObjectKind>(kindName);
        var handle = _client.Open(kind, Guid.NewGuid());

        Assert.That(handle, Is.InstanceOf(handleType));
        handle.Dispose();
        handle.Dispose();

        Assert.That(_api.Exports.Count(e => e == close), Is.EqualTo(1));
    }

    [Test]
    public void Modify_DisposedHandle_ThrowsWithoutCallingNative()
    {
        var handle = _client.Open(HcnObjectKind.Network, Guid.NewGuid());
        handle.Dispose();

        Assert.Throws<ObjectDisposedException>(() => _client.Modify(handle, "{}"));
        Assert.That(_api.Exports, Is.EqualTo(new[] { "HcnOpenNetwork", "HcnCloseNetwork" }));
    }

    [Test]
    public void QueryEndpointStatsAndAddresses_OpenEndpoint_UseEndpointHandleAndFreeResults()
    {
        _api.Handler = c => NativeReply.Ok(c.Export switch
        {
            "HcnQueryEndpointStats" => """{"BytesReceived":1}""",
            "HcnQueryEndpointAddresses" => """{"Addresses":[]}""",
            _ => null,
        });
        using var endpoint = (HcnEndpointHandle)_client.Open(HcnObjectKind.Endpoint, Guid.NewGuid());

        var stats = _client.QueryEndpointStats(endpoint, Query);
        var addresses = _client.QueryEndpointAddresses(endpoint, Query);

        Assert.That(stats, Is.EqualTo("""{"BytesReceived":1}"""));
        Assert.That(addresses, Is.EqualTo("""{"Addresses":[]}"""));
        Assert.That(_api.Calls[1].Handle, Is.EqualTo(_api.Calls[2].Handle));
    }

    [Test]
    public void Enumerate_ProcNotFound_SurfacesAsFailure()
    {
        _api.Handler = _ => new NativeReply(unchecked((int)0x8007007F));

        var ex = Assert.Throws<HcnException>(() => _client.Enumerate(HcnObjectKind.SdnRoute, Query));

        Assert.That(ex!.HResult, Is.EqualTo(unchecked((int)0x8007007F)));
        Assert.That(ex.Operation, Is.EqualTo("HcnEnumerateSdnRoutes"));
    }

    [Test]
    public void GetHnsVersion_Success_CallsGetGlobalsVersionAndParsesOutput()
    {
        _api.Handler = _ => NativeReply.Ok("""{"Success":true,"Output":{"Major":15,"Minor":4}}""");

        var version = _client.GetHnsVersion();

        Assert.That(version, Is.EqualTo((15, 4)));
        Assert.That(_api.Calls.Single().Json, Is.EqualTo("GET /globals/version"));
        Assert.That(_api.FreedBuffers, Is.EqualTo(1));
    }

    [Test]
    public void GetHnsVersion_EnvelopeReportsFailure_ThrowsWithHnsError()
    {
        _api.Handler = _ => NativeReply.Ok("""{"Success":false,"Error":"not supported"}""");

        var ex = Assert.Throws<HcnException>(() => _client.GetHnsVersion());

        Assert.That(ex!.Message, Does.Contain("not supported"));
    }

    [Test]
    public void GetHnsVersion_CallFails_ThrowsWithHResultAndFreesResponse()
    {
        _api.Handler = _ => new NativeReply(unchecked((int)0x8007007F), Result: "partial");

        var ex = Assert.Throws<HcnException>(() => _client.GetHnsVersion());

        Assert.That(ex!.HResult, Is.EqualTo(unchecked((int)0x8007007F)));
        Assert.That(_api.FreedBuffers, Is.EqualTo(1));
    }

    [Test]
    public void GetHnsVersion_GarbageResponse_Throws()
    {
        _api.Handler = _ => NativeReply.Ok("not json");

        Assert.Throws<HcnException>(() => _client.GetHnsVersion());
    }
}
