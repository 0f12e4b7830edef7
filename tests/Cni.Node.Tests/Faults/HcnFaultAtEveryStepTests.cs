using System.Globalization;
using Cni.Hcn.Errors;
using Cni.Hcn.Memory;
using Cni.Node.Ipam;
using Cni.Node.Networks;
using Cni.Node.Pods;
using Cni.Node.Tests.Pods;

namespace Cni.Node.Tests.Faults;

/// <summary>
/// An HCN failure at every step of ADD and DEL, one run per step: a clean run first counts the HCN calls the command
/// makes, then for each call k of each operation a fresh node fails exactly that call (<see cref="MemoryHcn.FailAfter"/>).
/// A failed ADD leaves nothing behind (no endpoint, no namespace attachment, no namespace it created, no lease, no
/// lock), a failed DEL never leaves an endpoint without its lease, and the retry succeeds and leaves exactly what a
/// clean run does. A command that succeeds despite the fault must have done all of its work. Another pod on the node
/// keeps its lease and endpoint throughout.
/// </summary>
[TestFixture]
[Category("Faults")]
public sealed class HcnFaultAtEveryStepTests
{
    private const string Bystander = "bystander";
    private const string Pod = "c1";

    /// <summary>Where the pod's network namespace comes from: an HCN namespace (Windows), or a netns path ADD makes one for.</summary>
    public enum NamespaceKind
    {
        HcnNamespace,
        NetnsPath,
    }

    private static IEnumerable<int> FaultCodes() => [HcnErrorCodes.Fail, HcnErrorCodes.RpcServerUnavailable];

    [Test]
    public async Task Add_HcnFaultAtEveryStep_NothingLeftBehindAndRetrySucceeds(
        [Values] NamespaceKind kind,
        [ValueSource(nameof(FaultCodes))] int hresult)
    {
        var steps = await StepsOfAsync(kind, del: false);
        Assert.That(steps, Is.Not.Empty);
        var failures = new List<string>();
        foreach (var (operation, passing) in steps)
        {
            var step = Describe(operation, passing);
            await using var node = await NodeHarness.CreateAsync(configure: o => o with { IpQuarantine = TimeSpan.Zero });
            var (bystanderIp, netns) = await PrepareAsync(node, kind);
            node.Hcn.ResetCallCounts();
            node.Hcn.FailAfter(operation, passing, hresult);

            var outcome = await node.AddAsync(Pod, netns);
            node.Hcn.ClearFaults();
            TestContext.Out.WriteLine($"{step}: ADD {(outcome.IsSuccess ? "succeeded" : $"failed with {(int)outcome.Error!.Code}: {outcome.Error.Msg}")}");

            if (outcome.IsSuccess)
            {
                failures.AddRange((await CompleteAddProblemsAsync(node)).Select(p => $"{step}: ADD succeeded despite the fault but {p}"));
            }
            else
            {
                failures.AddRange((await LeftOfPodAsync(node, kind, netns)).Select(p => $"{step}: failed ADD ({outcome.Error!.Code} {outcome.Error.Msg}) left {p}"));
                var retried = await node.AddAsync(Pod, netns);
                if (!retried.IsSuccess)
                {
                    failures.Add($"{step}: retried ADD failed: {retried.Error!.Code} {retried.Error.Msg}");
                }
                else
                {
                    failures.AddRange((await CompleteAddProblemsAsync(node)).Select(p => $"{step}: after the retried ADD {p}"));
                }
            }

            failures.AddRange((await BystanderProblemsAsync(node, bystanderIp)).Select(p => $"{step}: {p}"));
        }

        TestContext.Out.WriteLine($"ADD ({kind}, hresult 0x{hresult:X8}): {steps.Count} steps faulted: {string.Join(", ", steps.Select(s => Describe(s.Operation, s.Passing)))}");
        Assert.That(failures, Is.Empty, string.Join("\n", failures));
    }

    [Test]
    public async Task Del_HcnFaultAtEveryStep_NoEndpointWithoutLeaseAndRetryLeavesNothing(
        [Values] NamespaceKind kind,
        [ValueSource(nameof(FaultCodes))] int hresult)
    {
        var steps = await StepsOfAsync(kind, del: true);
        Assert.That(steps, Is.Not.Empty);
        var failures = new List<string>();
        foreach (var (operation, passing) in steps)
        {
            var step = Describe(operation, passing);
            await using var node = await NodeHarness.CreateAsync(configure: o => o with { IpQuarantine = TimeSpan.Zero });
            var (bystanderIp, netns) = await PrepareAsync(node, kind);
            NodeHarness.Result(await node.AddAsync(Pod, netns));
            node.Hcn.ResetCallCounts();
            node.Hcn.FailAfter(operation, passing, hresult);

            var outcome = await node.DelAsync(Pod, netns);
            node.Hcn.ClearFaults();
            TestContext.Out.WriteLine($"{step}: DEL {(outcome.IsSuccess ? "succeeded" : $"failed with {(int)outcome.Error!.Code}: {outcome.Error.Msg}")}");

            var endpoints = await PodEndpointsAsync(node);
            var lease = await PodLeaseAsync(node);
            if (outcome.IsSuccess)
            {
                failures.AddRange((await LeftOfPodAsync(node, kind, netns)).Select(p => $"{step}: DEL succeeded despite the fault but left {p}"));
            }
            else
            {
                if (endpoints.Count > 0 && lease is null)
                {
                    failures.Add($"{step}: failed DEL ({outcome.Error!.Code} {outcome.Error.Msg}) released the lease while endpoint {endpoints[0].Name} still exists");
                }

                var retried = await node.DelAsync(Pod, netns);
                if (!retried.IsSuccess)
                {
                    failures.Add($"{step}: retried DEL failed: {retried.Error!.Code} {retried.Error.Msg}");
                }

                failures.AddRange((await LeftOfPodAsync(node, kind, netns)).Select(p => $"{step}: after the retried DEL, left {p}"));
            }

            failures.AddRange((await BystanderProblemsAsync(node, bystanderIp)).Select(p => $"{step}: {p}"));
        }

        TestContext.Out.WriteLine($"DEL ({kind}, hresult 0x{hresult:X8}): {steps.Count} steps faulted: {string.Join(", ", steps.Select(s => Describe(s.Operation, s.Passing)))}");
        Assert.That(failures, Is.Empty, string.Join("\n", failures));
    }

    /// <summary>The HCN calls of a clean ADD (or DEL) of the pod: each (operation, calls before it) once.</summary>
    private static async Task<List<(MemoryHcnOperation Operation, int Passing)>> StepsOfAsync(NamespaceKind kind, bool del)
    {
        await using var node = await NodeHarness.CreateAsync(configure: o => o with { IpQuarantine = TimeSpan.Zero });
        var (_, netns) = await PrepareAsync(node, kind);
        if (del)
        {
            NodeHarness.Result(await node.AddAsync(Pod, netns));
        }

        node.Hcn.ResetCallCounts();
        var outcome = del ? await node.DelAsync(Pod, netns) : await node.AddAsync(Pod, netns);
        Assert.That(outcome.IsSuccess, Is.True, () => $"the clean {(del ? "DEL" : "ADD")} failed: {outcome.Error?.Msg}");
        return [.. node.Hcn.GetCallCounts()
            .OrderBy(c => c.Key)
            .SelectMany(c => Enumerable.Range(0, (int)c.Value).Select(passing => (c.Key, passing)))];
    }

    /// <summary>A bystander pod with its own namespace, and the pod's netns (an HCN namespace ID, or a path).</summary>
    private static async Task<(string BystanderIp, string Netns)> PrepareAsync(NodeHarness node, NamespaceKind kind)
    {
        var bystander = NodeHarness.Result(await node.AddAsync(Bystander, (await node.NewNamespaceAsync()).ToString()));
        var netns = kind == NamespaceKind.HcnNamespace
            ? (await node.NewNamespaceAsync()).ToString()
            : "/var/run/netns/cni-fault-" + Guid.NewGuid().ToString("N")[..8];
        return (bystander.Parsed.Ips.Single().Address.Address.ToString(), netns);
    }

    /// <summary>Whatever of the pod still exists: endpoints, its lease, attachments or namespaces made for it, locks.</summary>
    private static async Task<List<string>> LeftOfPodAsync(NodeHarness node, NamespaceKind kind, string netns)
    {
        var left = new List<string>();
        left.AddRange((await PodEndpointsAsync(node)).Select(e => $"endpoint {e.Name}"));
        if (await PodLeaseAsync(node) is { } lease)
        {
            left.Add($"lease {string.Join(",", lease.Addresses)}");
        }

        left.AddRange(await NamespaceLeftoversAsync(node, kind, netns));
        if (node.Locks.ActiveKeys != 0)
        {
            left.Add($"{node.Locks.ActiveKeys} attachment locks held");
        }

        return left;
    }

    /// <summary>What a successful ADD must have made: one endpoint, attached in the namespace, with the lease's address.</summary>
    private static async Task<List<string>> CompleteAddProblemsAsync(NodeHarness node)
    {
        var problems = new List<string>();
        var endpoints = await PodEndpointsAsync(node);
        var lease = await PodLeaseAsync(node);
        if (endpoints.Count != 1)
        {
            problems.Add($"{endpoints.Count} endpoints exist for the pod");
        }

        if (lease is null)
        {
            problems.Add("no lease exists for the pod");
        }
        else if (endpoints.Count == 1 && endpoints[0].IpConfigurations?.Any(c => c.IpAddress == lease.Addresses[0].Address.ToString()) != true)
        {
            problems.Add($"the endpoint does not carry the leased {lease.Addresses[0]}");
        }

        if (endpoints.Count == 1)
        {
            var attached = (await node.Hcn.EnumerateNamespacesAsync(null, CancellationToken.None))
                .Any(n => n.Resources?.Any(r => r.GetEndpointId() == endpoints[0].Id) == true);
            if (!attached)
            {
                problems.Add($"endpoint {endpoints[0].Name} is attached to no namespace");
            }
        }

        return problems;
    }

    /// <summary>Attachments or namespaces the pod's ADD made that are still there.</summary>
    private static async Task<List<string>> NamespaceLeftoversAsync(NodeHarness node, NamespaceKind kind, string netns)
    {
        var left = new List<string>();
        var bystanderEndpoint = (await node.EndpointsAsync()).Single(IsBystander).Id;
        var namespaces = await node.Hcn.EnumerateNamespacesAsync(null, CancellationToken.None);
        if (kind == NamespaceKind.HcnNamespace)
        {
            var attached = namespaces.Where(n => n.Id.ToString() == netns).SelectMany(n => n.Resources ?? []).Count();
            if (attached > 0)
            {
                left.Add(string.Create(CultureInfo.InvariantCulture, $"{attached} attachments in the pod's namespace"));
            }
        }
        else
        {
            // Only the bystander's namespace may remain: ADD made the pod's for its netns path.
            var others = namespaces.Count(n => !(n.Resources ?? []).Any(r => r.GetEndpointId() == bystanderEndpoint));
            if (others > 0)
            {
                left.Add(string.Create(CultureInfo.InvariantCulture, $"{others} namespaces made for the netns path"));
            }
        }

        return left;
    }

    private static async Task<List<string>> BystanderProblemsAsync(NodeHarness node, string bystanderIp)
    {
        var problems = new List<string>();
        var lease = (await node.LeasesAsync()).SingleOrDefault(l => l.Key.ContainerId == Bystander);
        var address = lease?.Addresses[0].Address.ToString();
        if (address != bystanderIp)
        {
            problems.Add($"the bystander's lease is {address ?? "gone"}, was {bystanderIp}");
        }

        if ((await node.EndpointsAsync()).Count(IsBystander) != 1)
        {
            problems.Add("the bystander's endpoint is gone");
        }

        return problems;
    }

    private static async Task<List<Cni.Hcn.Model.HostComputeEndpoint>> PodEndpointsAsync(NodeHarness node) =>
        [.. (await node.EndpointsAsync()).Where(e => e.Name == EndpointNames.For(NodeHarness.NetworkName, Pod, "eth0"))];

    private static bool IsBystander(Cni.Hcn.Model.HostComputeEndpoint endpoint) =>
        endpoint.Name == EndpointNames.For(NodeHarness.NetworkName, Bystander, "eth0");

    private static async Task<IpLease?> PodLeaseAsync(NodeHarness node) =>
        (await node.LeasesAsync()).SingleOrDefault(l => l.Key.ContainerId == Pod);

    private static string Describe(MemoryHcnOperation operation, int passing) =>
        string.Create(CultureInfo.InvariantCulture, $"{operation}#{passing + 1}");
}
