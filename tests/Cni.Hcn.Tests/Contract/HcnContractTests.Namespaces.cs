using Cni.Hcn.Errors;
using Cni.Hcn.Model;

namespace Cni.Hcn.Tests.Contract;

public abstract partial class HcnContractTests
{
    [Test]
    [CancelAfter(TestTimeoutMs)]
    public async Task CreateNamespaceAsync_Host_AssignsIdAndCanBeRead(CancellationToken cancellationToken)
    {
        var ns = await CreateNamespaceAsync(cancellationToken);

        var read = await Hcn.GetNamespaceAsync(ns.Id, cancellationToken);

        Assert.That(ns.Id, Is.Not.EqualTo(Guid.Empty));
        Assert.That(read.Id, Is.EqualTo(ns.Id));
        Assert.That(read.Type, Is.EqualTo(NamespaceType.Host));
        Assert.That(read.Resources ?? [], Is.Empty);
    }

    [Test]
    [CancelAfter(TestTimeoutMs)]
    public void GetNamespaceAsync_UnknownId_ThrowsElementNotFound(CancellationToken cancellationToken)
    {
        var ex = Assert.ThrowsAsync<HcnException>(() => Hcn.GetNamespaceAsync(Guid.NewGuid(), cancellationToken));

        // hcsshim's TestNotFoundError pins this one down on a real host.
        Assert.That(ex!.HResult, Is.EqualTo(HcnErrorCodes.ElementNotFound), ex.Message);
        Assert.That(ex.IsNotFound, Is.True);
    }

    [Test]
    [CancelAfter(TestTimeoutMs)]
    public async Task EnumerateNamespacesAsync_ById_ReturnsIt(CancellationToken cancellationToken)
    {
        var ns = await CreateNamespaceAsync(cancellationToken);
        await CreateNamespaceAsync(cancellationToken);

        var found = await Hcn.EnumerateNamespacesAsync(HostComputeQuery.ById(ns.Id), cancellationToken);

        Assert.That(found.Select(n => n.Id), Is.EqualTo(new[] { ns.Id }));
    }

    [Test]
    [CancelAfter(TestTimeoutMs)]
    public async Task AddNamespaceEndpointAsync_LocalEndpoint_BothSidesReportTheAttachment(CancellationToken cancellationToken)
    {
        var net24 = NextSubnet();
        var network = await CreateL2BridgeAsync(net24, cancellationToken);
        var endpoint = await CreateEndpointAsync(network, net24 + ".30", cancellationToken);
        var ns = await CreateNamespaceAsync(cancellationToken);

        await Hcn.AddNamespaceEndpointAsync(ns.Id, endpoint.Id, cancellationToken);

        var readEndpoint = await Hcn.GetEndpointAsync(endpoint.Id, cancellationToken);
        var readNamespace = await Hcn.GetNamespaceAsync(ns.Id, cancellationToken);
        Assert.That(readEndpoint.HostComputeNamespace, Is.EqualTo(ns.Id));
        Assert.That(readNamespace.Resources?.Select(r => r.GetEndpointId()), Is.EqualTo(new Guid?[] { endpoint.Id }));
    }

    [Test]
    [CancelAfter(TestTimeoutMs)]
    public async Task AddNamespaceEndpointAsync_EndpointInAnotherNamespace_ThrowsEndpointNamespaceAlreadyExists(CancellationToken cancellationToken)
    {
        var net24 = NextSubnet();
        var network = await CreateL2BridgeAsync(net24, cancellationToken);
        var endpoint = await CreateEndpointAsync(network, net24 + ".31", cancellationToken);
        var first = await CreateNamespaceAsync(cancellationToken);
        var second = await CreateNamespaceAsync(cancellationToken);
        await Hcn.AddNamespaceEndpointAsync(first.Id, endpoint.Id, cancellationToken);

        var ex = Assert.ThrowsAsync<HcnException>(() => Hcn.AddNamespaceEndpointAsync(second.Id, endpoint.Id, cancellationToken));

        Assert.That(ex!.HResult, Is.EqualTo(HcnErrorCodes.EndpointNamespaceAlreadyExists), ex.Message);
        Assert.That((await Hcn.GetEndpointAsync(endpoint.Id, cancellationToken)).HostComputeNamespace, Is.EqualTo(first.Id));
    }

    [Test]
    [CancelAfter(TestTimeoutMs)]
    public async Task AddNamespaceEndpointAsync_SameNamespaceTwice_ThrowsEndpointNamespaceAlreadyExists(CancellationToken cancellationToken)
    {
        var net24 = NextSubnet();
        var network = await CreateL2BridgeAsync(net24, cancellationToken);
        var endpoint = await CreateEndpointAsync(network, net24 + ".32", cancellationToken);
        var ns = await CreateNamespaceAsync(cancellationToken);
        await Hcn.AddNamespaceEndpointAsync(ns.Id, endpoint.Id, cancellationToken);

        var ex = Assert.ThrowsAsync<HcnException>(() => Hcn.AddNamespaceEndpointAsync(ns.Id, endpoint.Id, cancellationToken));

        Assert.That(ex!.HResult, Is.EqualTo(HcnErrorCodes.EndpointNamespaceAlreadyExists), ex.Message);
    }

    [Test]
    [CancelAfter(TestTimeoutMs)]
    public async Task AddNamespaceEndpointAsync_UnknownEndpoint_ThrowsNotFound(CancellationToken cancellationToken)
    {
        var ns = await CreateNamespaceAsync(cancellationToken);

        var ex = Assert.ThrowsAsync<HcnException>(() => Hcn.AddNamespaceEndpointAsync(ns.Id, Guid.NewGuid(), cancellationToken));

        Assert.That(ex!.IsNotFound, Is.True, ex.Message);
    }

    [Test]
    [CancelAfter(TestTimeoutMs)]
    public async Task AddNamespaceEndpointAsync_UnknownNamespace_ThrowsNotFound(CancellationToken cancellationToken)
    {
        var net24 = NextSubnet();
        var network = await CreateL2BridgeAsync(net24, cancellationToken);
        var endpoint = await CreateEndpointAsync(network, net24 + ".33", cancellationToken);

        var ex = Assert.ThrowsAsync<HcnException>(() => Hcn.AddNamespaceEndpointAsync(Guid.NewGuid(), endpoint.Id, cancellationToken));

        Assert.That(ex!.IsNotFound, Is.True, ex.Message);
    }

    [Test]
    [CancelAfter(TestTimeoutMs)]
    public async Task RemoveNamespaceEndpointAsync_Attached_DetachesBothSides(CancellationToken cancellationToken)
    {
        var net24 = NextSubnet();
        var network = await CreateL2BridgeAsync(net24, cancellationToken);
        var endpoint = await CreateEndpointAsync(network, net24 + ".34", cancellationToken);
        var ns = await CreateNamespaceAsync(cancellationToken);
        await Hcn.AddNamespaceEndpointAsync(ns.Id, endpoint.Id, cancellationToken);

        await Hcn.RemoveNamespaceEndpointAsync(ns.Id, endpoint.Id, cancellationToken);

        Assert.That((await Hcn.GetEndpointAsync(endpoint.Id, cancellationToken)).HostComputeNamespace, Is.EqualTo(Guid.Empty));
        Assert.That((await Hcn.GetNamespaceAsync(ns.Id, cancellationToken)).Resources ?? [], Is.Empty);
    }

    [Test]
    [CancelAfter(TestTimeoutMs)]
    public async Task RemoveNamespaceEndpointAsync_NotAttached_ThrowsEndpointNotAttached(CancellationToken cancellationToken)
    {
        var net24 = NextSubnet();
        var network = await CreateL2BridgeAsync(net24, cancellationToken);
        var endpoint = await CreateEndpointAsync(network, net24 + ".35", cancellationToken);
        var ns = await CreateNamespaceAsync(cancellationToken);

        var ex = Assert.ThrowsAsync<HcnException>(() => Hcn.RemoveNamespaceEndpointAsync(ns.Id, endpoint.Id, cancellationToken));

        Assert.That(ex!.HResult, Is.EqualTo(HcnErrorCodes.EndpointNotAttached), ex.Message);
    }

    [Test]
    [CancelAfter(TestTimeoutMs)]
    public async Task DeleteNamespaceAsync_WithAttachedEndpoint_DetachesButKeepsEndpoint(CancellationToken cancellationToken)
    {
        var net24 = NextSubnet();
        var network = await CreateL2BridgeAsync(net24, cancellationToken);
        var endpoint = await CreateEndpointAsync(network, net24 + ".36", cancellationToken);
        var ns = await CreateNamespaceAsync(cancellationToken);
        await Hcn.AddNamespaceEndpointAsync(ns.Id, endpoint.Id, cancellationToken);

        await Hcn.DeleteNamespaceAsync(ns.Id, cancellationToken);

        Assert.That((await Hcn.GetEndpointAsync(endpoint.Id, cancellationToken)).HostComputeNamespace, Is.EqualTo(Guid.Empty));
    }

    [Test]
    [CancelAfter(TestTimeoutMs)]
    public async Task DeleteEndpointAsync_Attached_LeavesTheNamespace(CancellationToken cancellationToken)
    {
        var net24 = NextSubnet();
        var network = await CreateL2BridgeAsync(net24, cancellationToken);
        var endpoint = await CreateEndpointAsync(network, net24 + ".37", cancellationToken);
        var ns = await CreateNamespaceAsync(cancellationToken);
        await Hcn.AddNamespaceEndpointAsync(ns.Id, endpoint.Id, cancellationToken);

        await Hcn.DeleteEndpointAsync(endpoint.Id, cancellationToken);

        Assert.That((await Hcn.GetNamespaceAsync(ns.Id, cancellationToken)).Resources ?? [], Is.Empty);
    }

    [Test]
    [CancelAfter(TestTimeoutMs)]
    public void DeleteNamespaceAsync_UnknownId_ThrowsNotFound(CancellationToken cancellationToken)
    {
        var ex = Assert.ThrowsAsync<HcnException>(() => Hcn.DeleteNamespaceAsync(Guid.NewGuid(), cancellationToken));

        Assert.That(ex!.IsNotFound, Is.True, ex.Message);
    }
}
