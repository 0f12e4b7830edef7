using System.Net;
using System.Text;
using System.Text.Json;
using Cni.Hcn.Errors;
using Cni.Hcn.Memory;
using Cni.Hcn.Model;
using Cni.Node.Dataplane;
using Cni.Node.Ipam;
using Cni.Spec.Wire;

namespace Cni.Daemon.Tests.EndToEnd;

/// <summary>
/// Every CNI command end to end: the published <c>wincni</c> → the CNI socket → wincnid (in this process, so HCN
/// faults can be injected into its MemoryHcn) → the memory dataplane.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class CniCommandsEndToEndTests
{
    private Sandbox _sandbox = null!;
    private InProcessDaemon _daemon = null!;
    private Wincni _wincni = null!;

    [OneTimeSetUp]
    public async Task StartDaemonAsync()
    {
        _sandbox = new Sandbox();
        try
        {
            _daemon = await InProcessDaemon.StartAsync(_sandbox);
        }
        catch
        {
            _sandbox.Dispose();
            throw;
        }

        _wincni = new Wincni(_sandbox);
    }

    [OneTimeTearDown]
    public async Task StopDaemonAsync()
    {
        try
        {
            if (_daemon is not null)
            {
                await _daemon.DisposeAsync();
            }
        }
        finally
        {
            _sandbox.Dispose();
        }
    }

    [SetUp]
    public void ClearFaults() => _daemon.Hcn.ClearFaults();

    private static string NewId() => Guid.NewGuid().ToString("N");

    private async Task<IReadOnlyList<HostComputeEndpoint>> EndpointsNamedAsync(string containerId) =>
        await _daemon.Hcn.EnumerateEndpointsAsync(HostComputeQuery.ByName(DaemonStatus.EndpointName(containerId)), CancellationToken.None);

    private async Task<bool> NamespaceExistsAsync(string containerId)
    {
        try
        {
            await _daemon.Hcn.GetNamespaceAsync(NetnsPathNamespaceResolver.IdForPath(_sandbox.Netns(containerId)), CancellationToken.None);
            return true;
        }
        catch (HcnException e) when (e.IsNotFound)
        {
            return false;
        }
    }

    private async Task AssertNothingLeftAsync(string containerId)
    {
        var lease = await _daemon.Ipam.GetAsync(new LeaseKey(containerId, "eth0"), CancellationToken.None);
        var endpoints = await EndpointsNamedAsync(containerId);
        var namespaceExists = await NamespaceExistsAsync(containerId);
        Assert.Multiple(() =>
        {
            Assert.That(lease, Is.Null, "lease left behind");
            Assert.That(endpoints, Is.Empty, "endpoint left behind");
            Assert.That(namespaceExists, Is.False, "namespace left behind");
        });
    }

    // ------------------------------------------------------------------ ADD / CHECK / DEL

    [Test]
    public async Task Add_NewContainer_ResultCarriesLeasedIpOfAttachedEndpoint()
    {
        var id = NewId();

        var add = await _wincni.AddAsync(id);

        Assert.That(add.ExitCode, Is.Zero, add.Message);
        using var result = JsonDocument.Parse(add.Stdout);
        var status = await DaemonStatus.FetchAsync(_sandbox.Socket);
        var endpoint = (await EndpointsNamedAsync(id)).Single();
        Assert.Multiple(() =>
        {
            Assert.That(result.RootElement.GetProperty("cniVersion").GetString(), Is.EqualTo("1.1.0"));
            Assert.That(IPNetwork.Parse(Sandbox.PodCidr).Contains(IPAddress.Parse(add.Ip)), Is.True, add.Stdout);
            Assert.That(result.RootElement.GetProperty("interfaces")[0].GetProperty("sandbox").GetString(), Is.EqualTo(_sandbox.Netns(id)));
            Assert.That(status.LeaseIpByContainer[id], Is.EqualTo(add.Ip));
            Assert.That(endpoint.IpConfigurations![0].IpAddress, Is.EqualTo(add.Ip));
            Assert.That(endpoint.HostComputeNamespace, Is.EqualTo(NetnsPathNamespaceResolver.IdForPath(_sandbox.Netns(id))));
        });
        Assert.That((await _wincni.DelAsync(id)).ExitCode, Is.Zero);
    }

    [Test]
    public async Task Add_SameAttachmentTwice_SameResultWithoutNewHcnObjects()
    {
        var id = NewId();
        var first = await _wincni.AddAsync(id);
        var creates = _daemon.Hcn.GetCallCount(MemoryHcnOperation.CreateEndpoint);

        var second = await _wincni.AddAsync(id);

        Assert.Multiple(() =>
        {
            Assert.That(second.ExitCode, Is.Zero, second.Message);
            Assert.That(second.Stdout, Is.EqualTo(first.Stdout));
            Assert.That(_daemon.Hcn.GetCallCount(MemoryHcnOperation.CreateEndpoint), Is.EqualTo(creates));
        });
        Assert.That(await EndpointsNamedAsync(id), Has.Count.EqualTo(1));
        Assert.That((await _wincni.DelAsync(id)).ExitCode, Is.Zero);
    }

    [TestCase("0.3.1")]
    [TestCase("0.4.0")]
    [TestCase("1.0.0")]
    public async Task Add_OlderCniVersion_ResultInThatVersion(string version)
    {
        var id = NewId();

        var add = await Wincni.RunAsync(_wincni.Env("ADD", id), _wincni.Config(version));

        Assert.That(add.ExitCode, Is.Zero, add.Message);
        using var result = JsonDocument.Parse(add.Stdout);
        Assert.That(result.RootElement.GetProperty("cniVersion").GetString(), Is.EqualTo(version));
        Assert.That(result.RootElement.GetProperty("ips")[0].TryGetProperty("version", out _), Is.EqualTo(version.StartsWith("0.", StringComparison.Ordinal)));
        Assert.That((await Wincni.RunAsync(_wincni.Env("DEL", id), _wincni.Config(version))).ExitCode, Is.Zero);
    }

    [Test]
    public async Task Check_AfterAdd_Succeeds()
    {
        var id = NewId();
        var add = await _wincni.AddAsync(id);

        var check = await _wincni.CheckAsync(id, add.Stdout);

        Assert.That(check.ExitCode, Is.Zero, check.Message);
        Assert.That(check.Stdout, Is.Empty);
        await _wincni.DelAsync(id);
    }

    [Test]
    public async Task Check_EndpointDeletedOutOfBand_FailsNamingTheEndpoint()
    {
        var id = NewId();
        var add = await _wincni.AddAsync(id);
        await _daemon.Hcn.DeleteEndpointAsync((await EndpointsNamedAsync(id)).Single().Id, CancellationToken.None);

        var check = await _wincni.CheckAsync(id, add.Stdout);

        Assert.That(check.ExitCode, Is.Not.Zero);
        Assert.That(check.Stdout, Does.Contain(DaemonStatus.EndpointName(id)).And.Contain("does not exist"));
        Assert.That((await _wincni.DelAsync(id)).ExitCode, Is.Zero);
        await AssertNothingLeftAsync(id);
    }

    [Test]
    public async Task Del_AfterAdd_RemovesEndpointLeaseAndNamespace()
    {
        var id = NewId();
        await _wincni.AddAsync(id);

        var del = await _wincni.DelAsync(id);

        Assert.That(del.ExitCode, Is.Zero, del.Message);
        Assert.That(del.Stdout, Is.Empty);
        await AssertNothingLeftAsync(id);
    }

    [Test]
    public async Task Del_WithoutNetnsAsContainerdSendsIt_ReleasesTheNamespaceRecordedAtAdd()
    {
        var id = NewId();
        await _wincni.AddAsync(id);

        var del = await Wincni.RunAsync(_wincni.Env("DEL", id, netns: ""), _wincni.Config());

        Assert.That(del.ExitCode, Is.Zero, del.Message);
        await AssertNothingLeftAsync(id);
    }

    [Test]
    public async Task Del_RepeatedAndNeverAdded_SucceedsEveryTime()
    {
        var id = NewId();
        await _wincni.AddAsync(id);

        var outcomes = new[]
        {
            await _wincni.DelAsync(id),
            await _wincni.DelAsync(id),
            await _wincni.DelAsync(NewId()),
            await Wincni.RunAsync(_wincni.Env("DEL", NewId(), netns: ""), _wincni.Config("0.3.1")),
            await Wincni.RunAsync(_wincni.Env("DEL", NewId(), netns: "/nonexistent/ns"), _wincni.Config()),
        };

        Assert.That(outcomes.Select(o => (o.ExitCode, o.Stdout)), Is.All.EqualTo((0, "")));
        await AssertNothingLeftAsync(id);
    }

    // ------------------------------------------------------------------ rollback

    /// <summary>The HCN calls of a fresh ADD, in order; a fault at any of them must leave nothing behind.</summary>
    [TestCase(MemoryHcnOperation.EnumerateEndpoints)]
    [TestCase(MemoryHcnOperation.GetNamespace)]
    [TestCase(MemoryHcnOperation.CreateNamespace)]
    [TestCase(MemoryHcnOperation.CreateEndpoint)]
    [TestCase(MemoryHcnOperation.ModifyNamespace)]
    public async Task Add_HcnFaultAtStep_FailsRetryablyAndLeavesNothingBehind(MemoryHcnOperation step)
    {
        var id = NewId();
        var leasesBefore = (await _daemon.Ipam.ListAsync(CancellationToken.None)).Count;
        var callsBefore = _daemon.Hcn.GetCallCount(step);
        _daemon.Hcn.FailNext(step, 1, HcnErrorCodes.RpcServerUnavailable);

        var add = await _wincni.AddAsync(id);

        Assert.Multiple(() =>
        {
            Assert.That(add.ErrorCode, Is.EqualTo(11), add.Message);
            Assert.That(add.Stdout, Does.Contain("0x800706BA"), "details keep the HRESULT");
            Assert.That(_daemon.Hcn.GetCallCount(step), Is.GreaterThan(callsBefore), "the ADD reached the step");
        });
        await AssertNothingLeftAsync(id);
        Assert.That((await _daemon.Ipam.ListAsync(CancellationToken.None)).Count, Is.EqualTo(leasesBefore));

        // The runtime's retry then works, and its DEL cleans up.
        var retry = await _wincni.AddAsync(id);
        Assert.That(retry.ExitCode, Is.Zero, retry.Message);
        Assert.That((await _wincni.DelAsync(id)).ExitCode, Is.Zero);
        await AssertNothingLeftAsync(id);
    }

    [Test]
    public async Task Add_AttachFailsAndRollbackDeleteFails_LeaseKeptUntilDelCleansEverything()
    {
        var id = NewId();
        _daemon.Hcn.FailNext(MemoryHcnOperation.ModifyNamespace, 1, HcnErrorCodes.RpcServerUnavailable);
        // Every one of the rollback's three attempts fails (one failure alone is retried away).
        _daemon.Hcn.FailNext(MemoryHcnOperation.DeleteEndpoint, 3, HcnErrorCodes.RpcServerUnavailable);

        var add = await _wincni.AddAsync(id);

        Assert.That(add.ErrorCode, Is.EqualTo(11), add.Message);
        var lease = await _daemon.Ipam.GetAsync(new LeaseKey(id, "eth0"), CancellationToken.None);
        var endpoints = await EndpointsNamedAsync(id);
        Assert.That(endpoints, Has.Count.EqualTo(1), "the undeletable endpoint is still there");
        Assert.That(lease, Is.Not.Null, "its address stays leased so it is never handed out twice");

        // containerd's DEL after a failed ADD.
        Assert.That((await _wincni.DelAsync(id)).ExitCode, Is.Zero);
        await AssertNothingLeftAsync(id);
    }

    // ------------------------------------------------------------------ GC and STATUS

    [Test]
    public async Task Gc_ValidListWithOneOfThree_CollectsTheOthersAndKeepsIt()
    {
        var ids = new[] { NewId(), NewId(), NewId() };
        foreach (var id in ids)
        {
            Assert.That((await _wincni.AddAsync(id)).ExitCode, Is.Zero);
        }

        var gc = await _wincni.GcAsync([ids[0]]);

        Assert.That(gc.ExitCode, Is.Zero, gc.Message);
        Assert.That(gc.Stdout, Is.Empty);
        var status = await DaemonStatus.FetchAsync(_sandbox.Socket);
        Assert.Multiple(() =>
        {
            Assert.That(status.LeaseIpByContainer.Keys, Is.EquivalentTo(new[] { ids[0] }));
            Assert.That(status.EndpointIpByName.Keys, Is.EquivalentTo(new[] { DaemonStatus.EndpointName(ids[0]) }));
        });

        Assert.That((await _wincni.GcAsync([])).ExitCode, Is.Zero);
        await AssertNothingLeftAsync(ids[0]);
        await AssertNothingLeftAsync(ids[1]);
    }

    [Test]
    public async Task Gc_NoAttachmentListAtAll_CollectsNothing()
    {
        var id = NewId();
        await _wincni.AddAsync(id);

        var gc = await Wincni.RunAsync(new Dictionary<string, string> { ["CNI_COMMAND"] = "GC", ["CNI_PATH"] = "/opt/cni/bin" }, _wincni.Config());

        Assert.That(gc.ExitCode, Is.Zero, gc.Message);
        Assert.That(await _daemon.Ipam.GetAsync(new LeaseKey(id, "eth0"), CancellationToken.None), Is.Not.Null);
        await _wincni.DelAsync(id);
    }

    [Test]
    public async Task Status_ReadyDaemon_SucceedsWithEmptyStdout()
    {
        var status = await _wincni.StatusAsync();

        Assert.That(status.ExitCode, Is.Zero, status.Message);
        Assert.That(status.Stdout, Is.Empty);
    }

    [Test]
    public async Task Status_OlderConfigVersion_Code1()
    {
        var status = await Wincni.RunAsync(new Dictionary<string, string> { ["CNI_COMMAND"] = "STATUS" }, _wincni.Config("1.0.0"));

        Assert.That(status.ErrorCode, Is.EqualTo(1), status.Message);
    }

    // ------------------------------------------------------------------ bad input

    [Test]
    public async Task Add_BrokenConfigJson_Code6AndNoLease()
    {
        var id = NewId();

        var add = await Wincni.RunAsync(_wincni.Env("ADD", id), "{\"cniVersion\":\"1.1.0\",\"name\":");

        Assert.That(add.ErrorCode, Is.EqualTo(6), add.Message);
        await AssertNothingLeftAsync(id);
    }

    [Test]
    public async Task Add_NetworkNameNotServed_Code7NamingTheField()
    {
        var id = NewId();
        var config = _wincni.Config().Replace($"\"name\":\"{Sandbox.NetworkName}\"", "\"name\":\"othernet\"", StringComparison.Ordinal);

        var add = await Wincni.RunAsync(_wincni.Env("ADD", id), config);

        Assert.That(add.ErrorCode, Is.EqualTo(7), add.Message);
        Assert.That(add.Stdout, Does.Contain("othernet").And.Contain("networkName"));
        await AssertNothingLeftAsync(id);
    }

    [TestCase("../../etc/passwd", "CNI_CONTAINERID")]
    [TestCase("abc;rm -rf", "CNI_CONTAINERID")]
    public async Task Add_HostileContainerId_Code4NamingTheVariable(string containerId, string variable)
    {
        var env = _wincni.Env("ADD", "hostile-" + NewId());
        env["CNI_CONTAINERID"] = containerId;

        var add = await Wincni.RunAsync(env, _wincni.Config());

        Assert.That(add.ErrorCode, Is.EqualTo(4), add.Message);
        Assert.That(add.Stdout, Does.Contain(variable).Or.Contain("containerID"));
    }

    [Test]
    public async Task Add_PortMappingOutOfRange_RejectedBeforeAnyChangeNamingTheField()
    {
        var id = NewId();
        var config = _wincni.Config(extra: "\"capabilities\":{\"portMappings\":true},\"runtimeConfig\":{\"portMappings\":[{\"hostPort\":70000,\"containerPort\":80,\"protocol\":\"tcp\"}]}");
        var creates = _daemon.Hcn.GetCallCount(MemoryHcnOperation.CreateEndpoint);

        var add = await Wincni.RunAsync(_wincni.Env("ADD", id), config);

        Assert.That(add.ExitCode, Is.Not.Zero);
        Assert.That(add.Stdout, Does.Contain("portMappings").IgnoreCase.Or.Contain("hostPort").IgnoreCase, add.Message);
        Assert.That(_daemon.Hcn.GetCallCount(MemoryHcnOperation.CreateEndpoint), Is.EqualTo(creates));
        await AssertNothingLeftAsync(id);
    }

    [Test]
    public async Task Add_OversizedStdin_CleanCode5WithoutHang()
    {
        var id = NewId();
        var config = _wincni.Config(extra: "\"pad\":\"" + new string('x', 5 * 1024 * 1024) + "\"");

        var add = await Wincni.RunAsync(_wincni.Env("ADD", id), config, TimeSpan.FromSeconds(60));

        Assert.That(add.ErrorCode, Is.EqualTo(5), add.Message);
        await AssertNothingLeftAsync(id);
    }

    [Test]
    public async Task DaemonRequest_DeclaredLengthOverLimit_CleanErrorAndDaemonKeepsServing()
    {
        var (status, body) = await RawSocketHttp.PostAsync(_sandbox.Socket, DaemonProtocol.CniPath, "{\"command\":\"ADD\""u8.ToArray(), declaredLength: DaemonProtocol.MaxRequestBytes + 1L);

        Assert.That(status, Is.InRange(400, 599), body);
        if (body.Length > 0)
        {
            using var error = JsonDocument.Parse(body);
            Assert.That(error.RootElement.GetProperty("code").GetInt32(), Is.EqualTo(5), body);
        }

        Assert.That((await _wincni.StatusAsync()).ExitCode, Is.Zero, "the daemon still serves");
    }

    [Test]
    public async Task DaemonRequest_NotJson_Code6()
    {
        var (status, body) = await RawSocketHttp.PostAsync(_sandbox.Socket, DaemonProtocol.CniPath, "this is not json"u8.ToArray());

        using var error = JsonDocument.Parse(body);
        Assert.That(status, Is.EqualTo(400));
        Assert.That(error.RootElement.GetProperty("code").GetInt32(), Is.EqualTo(6), body);
    }

    [Test]
    public async Task DaemonRequest_HostileValuesSkippingThePlugin_DaemonRevalidatesWithCode4()
    {
        var config = _wincni.Config();
        var request = $$"""{"command":"ADD","containerId":"../x","netns":"{{_sandbox.Netns("raw")}}","ifName":"eth0/../..","args":"","path":"/opt/cni/bin","config":{{config}}}""";

        var (status, body) = await RawSocketHttp.PostAsync(_sandbox.Socket, DaemonProtocol.CniPath, Encoding.UTF8.GetBytes(request));

        using var error = JsonDocument.Parse(body);
        Assert.That(status, Is.EqualTo(400), body);
        Assert.That(error.RootElement.GetProperty("code").GetInt32(), Is.EqualTo(4), body);
    }

    [Test]
    public async Task CniEndpoint_OverTcpHealthListener_NotServed()
    {
        using var client = new HttpClient();
        using var content = new StringContent("{}", Encoding.UTF8, "application/json");

        using var post = await client.PostAsync(_sandbox.HealthUri(DaemonProtocol.CniPath), content);
        using var status = await client.GetAsync(_sandbox.HealthUri("/v1/status"));

        Assert.That(post.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(status.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }
}
