using System.Diagnostics.Metrics;
using System.Net;
using System.Text;
using Cni.Daemon.Hosting;
using Cni.Daemon.Metrics;
using Cni.Hcn.Memory;
using Cni.Hcn.Model;
using Cni.Node.Concurrency;
using Cni.Node.Configuration;
using Cni.Node.Dataplane;
using Cni.Node.Ipam;
using Cni.Node.Networks;
using Cni.Node.Pods;
using Cni.Spec;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cni.Daemon.Tests.Hosting;

public sealed class CniEndpointTests
{
    [TestCase(MemoryHcnOperation.CreateEndpoint, "while creating the endpoint")]
    [TestCase(MemoryHcnOperation.ModifyNamespace, "while attaching to the namespace")]
    public async Task HandleAsync_AddExceedsDeadline_Code11NamingDeadlineAndStep(MemoryHcnOperation slowStep, string step)
    {
        var stateDir = Directory.CreateTempSubdirectory("wincni-endpoint-test-").FullName;
        try
        {
            var hcn = new MemoryHcn();
            var options = new NodeOptions
            {
                Mode = NetworkMode.Overlay,
                NetworkName = "wincni",
                ClusterCidrs = [IPNetwork.Parse("10.244.0.0/16")],
                ServiceCidrs = [IPNetwork.Parse("10.96.0.0/12")],
                PodCidrs = [IPNetwork.Parse("10.244.1.0/24")],
                NodeIp = IPAddress.Parse("192.0.2.10"),
                StateDir = stateDir,
            };
            await using var ipam = await IpamStore.OpenAsync(
                new IpamOptions { StateDirectory = stateDir, Mode = options.Mode, PodCidrs = ["10.244.1.0/24"] },
                TimeProvider.System,
                NullLoggerFactory.Instance,
                CancellationToken.None);
            var locks = new KeyedAsyncLock<LeaseKey>();
            var network = new PodNetwork(hcn, ipam, new StaticNodeAddressingSource(options), options, locks, TimeProvider.System, NullLogger<PodNetwork>.Instance);
            await network.EnsureAsync(CancellationToken.None);
            var handler = new CniCommandHandler(hcn, ipam, network, new NetnsPathNamespaceResolver(hcn), options, locks, NullLogger<CniCommandHandler>.Instance);
            var ns = await hcn.CreateNamespaceAsync(new HostComputeNamespace { Type = NamespaceType.Host }, CancellationToken.None);
            hcn.SetLatency(slowStep, TimeSpan.FromMinutes(5));
            using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
            var metrics = new CniRequestMetrics(services.GetRequiredService<IMeterFactory>());
            var endpoint = new CniEndpoint(handler, new ReadinessHold(network, TimeProvider.System), metrics, NullLogger<CniEndpoint>.Instance, TimeSpan.FromMilliseconds(300), CancellationToken.None);
            var context = new DefaultHttpContext();
            context.Request.Body = new MemoryStream(Encoding.UTF8.GetBytes(
                "{\"command\":\"ADD\",\"containerId\":\"c1\",\"netns\":\"" + ns.Id + "\",\"ifName\":\"eth0\",\"args\":\"\",\"path\":\"/opt/cni/bin\"," +
                "\"config\":{\"cniVersion\":\"1.1.0\",\"name\":\"wincni\",\"type\":\"wincni\"}}"));
            context.Response.Body = new MemoryStream();

            await endpoint.HandleAsync(context);

            var error = CniJson.ParseError(((MemoryStream)context.Response.Body).ToArray());
            Assert.That(error.Code, Is.EqualTo(CniErrorCode.TryAgainLater));
            Assert.That(error.Msg, Does.StartWith("ADD did not finish within "));
            Assert.That(error.Msg, Does.Contain(step));
            Assert.That(await ipam.ListAsync(CancellationToken.None), Is.Empty, "the timed-out ADD is rolled back");
        }
        finally
        {
            Directory.Delete(stateDir, recursive: true);
        }
    }
}
