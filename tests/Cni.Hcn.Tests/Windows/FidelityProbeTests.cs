using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using System.Text.Json;
using Cni.Hcn.Errors;
using Cni.Hcn.HostRouting;
using Cni.Hcn.Json;
using Cni.Hcn.Model;
using Cni.Hcn.Model.Policies;
using Cni.Hcn.Windows;
using Cni.Hcn.Windows.IpHelper;

namespace Cni.Hcn.Tests.Windows;

/// <summary>
/// The fidelity probe: settles, on a real Windows host, each question wincni answers from sources rather than from a
/// run (docs/windows-flows.md, "Open questions"), and writes the answers (<see cref="ProbeReport"/>). A probe fails
/// only when it cannot ask (no HNS, not elevated); an answer that contradicts wincni's assumption is a warning. The
/// overlay probes bind the host adapter named by WINCNI_HCN_TEST_ADAPTER (default: the adapter with the default
/// route), as a Windows node does; everything a probe makes is deleted afterwards.
/// </summary>
[TestFixture]
[Category("FidelityProbe")]
[NonParallelizable]
[SupportedOSPlatform("windows")]
public sealed class FidelityProbeTests
{
    private const string Query = """{"SchemaVersion":{"Major":2,"Minor":0}}""";
    private static readonly Guid RandomGuid = Guid.Parse("5f0b1190-63be-4e0c-b974-bd0f55675a42");

    private WindowsHcn _hcn = null!;
    private HcnNativeClient _native = null!;
    private readonly List<Func<Task>> _cleanup = [];

    [OneTimeSetUp]
    public void RequireHost() => WindowsHostGuard.Require();

    [SetUp]
    public void Create()
    {
        _hcn = new WindowsHcn();
        _native = new HcnNativeClient(new HcnNativeApi());
        _cleanup.Clear();
    }

    [TearDown]
    public async Task CleanUpAsync()
    {
        foreach (var step in Enumerable.Reverse(_cleanup))
        {
            try
            {
                await step();
            }
            catch (HcnException)
            {
                // Best effort: gone with its network already.
            }
        }
    }

    [Test]
    public async Task Probe_HnsVersionAndFeatures()
    {
        var version = await ProbeReport.OutcomeAsync(async () => await _hcn.GetVersionAsync(CancellationToken.None));
        var features = await ((IHcn)_hcn).GetFeaturesAsync(CancellationToken.None);
        ProbeReport.Answer("11 HNS version (GET /globals/version)", features.VersionText + (version == "ok" ? "" : " (" + version + ")"));
        ProbeReport.Answer("11 features on", string.Join(", ", features.Supported.Order()));
        ProbeReport.Answer("11 Windows build", Environment.OSVersion.VersionString);
    }

    [Test]
    public async Task Probe_UnknownGuids_HResults()
    {
        // Question 7 and issue 14 item 6: ADD treats any not-found code as "network gone".
        var answers = new Dictionary<string, string>
        {
            ["HcnOpenNetwork"] = await ProbeReport.OutcomeAsync(() => _hcn.GetNetworkAsync(RandomGuid, CancellationToken.None)),
            ["HcnOpenEndpoint"] = await ProbeReport.OutcomeAsync(() => _hcn.GetEndpointAsync(RandomGuid, CancellationToken.None)),
            ["HcnOpenNamespace"] = await ProbeReport.OutcomeAsync(() => _hcn.GetNamespaceAsync(RandomGuid, CancellationToken.None)),
            ["HcnOpenLoadBalancer"] = await ProbeReport.OutcomeAsync(() => _hcn.GetLoadBalancerAsync(RandomGuid, CancellationToken.None)),
            ["HcnDeleteEndpoint"] = await ProbeReport.OutcomeAsync(() => _hcn.DeleteEndpointAsync(RandomGuid, CancellationToken.None)),
            ["HcnDeleteNetwork"] = await ProbeReport.OutcomeAsync(() => _hcn.DeleteNetworkAsync(RandomGuid, CancellationToken.None)),
        };
        foreach (var (call, outcome) in answers)
        {
            var code = outcome.Split(' ')[0];
            var notFound = code.StartsWith("0x", StringComparison.Ordinal)
                && HcnErrorCatalog.IsNotFound(int.Parse(code[2..], NumberStyles.HexNumber, CultureInfo.InvariantCulture));
            ProbeReport.Answer($"7 {call} on an unknown GUID", outcome, "a code HcnException.IsNotFound covers (0x80070490, 0x803B0001/2)", notFound);
        }
    }

    [Test]
    public async Task Probe_NamespaceIsDefaultFilter()
    {
        var pod = await _hcn.CreateNamespaceAsync(new HostComputeNamespace { Type = NamespaceType.Host }, CancellationToken.None);
        _cleanup.Add(() => _hcn.DeleteNamespaceAsync(pod.Id, CancellationToken.None));

        var all = await _hcn.EnumerateNamespacesAsync(null, CancellationToken.None);
        ProbeReport.Answer("6 namespaces listed on this host", string.Join(", ", all.Select(n => $"{n.Type}#{n.NamespaceId}")));
        var hostDefault = all.FirstOrDefault(n => n.Type == NamespaceType.HostDefault);
        ProbeReport.Answer("6 a HostDefault namespace is listed", hostDefault is null ? "no (wincni creates one)" : $"yes, compartment {hostDefault.NamespaceId}");

        var filtered = await _hcn.EnumerateNamespacesAsync(HostComputeQuery.DefaultNamespace(), CancellationToken.None);
        var honoured = filtered.All(n => n.Type == NamespaceType.HostDefault);
        ProbeReport.Answer("6 the v1 IsDefault filter", honoured ? "honoured" : $"ignored: it returned {string.Join(", ", filtered.Select(n => n.Type))}",
            "unknown: wincni selects by Type and never relies on it");
    }

    [Test]
    public async Task Probe_EndpointPrefixLengthAndDeleteWhileAttached()
    {
        var network = await NatNetworkAsync("172.31.81");
        var endpoint = await _hcn.CreateEndpointAsync(network.Id, new HostComputeEndpoint
        {
            Name = "wincni-probe-ep",
            IpConfigurations = [new IpConfig { IpAddress = "172.31.81.10", PrefixLength = 24 }],
        }, CancellationToken.None);
        _cleanup.Add(() => _hcn.DeleteEndpointAsync(endpoint.Id, CancellationToken.None));
        ProbeReport.Answer("PrefixLength echoed on read", string.Join(",", (endpoint.IpConfigurations ?? []).Select(c => c.PrefixLength)), "24", endpoint.IpConfigurations?.FirstOrDefault()?.PrefixLength == 24);

        var ns = await _hcn.CreateNamespaceAsync(new HostComputeNamespace { Type = NamespaceType.Host }, CancellationToken.None);
        _cleanup.Add(() => _hcn.DeleteNamespaceAsync(ns.Id, CancellationToken.None));
        await ((IHcn)_hcn).AddNamespaceEndpointAsync(ns.Id, endpoint.Id, CancellationToken.None);
        var twice = await ProbeReport.OutcomeAsync(() => ((IHcn)_hcn).AddNamespaceEndpointAsync(ns.Id, endpoint.Id, CancellationToken.None));
        ProbeReport.Answer("5 attaching an endpoint a second time", twice, "an already-exists code (HcnException.IsAlreadyExists)",
            twice.StartsWith("0x", StringComparison.Ordinal) && HcnErrorCatalog.IsAlreadyExists(int.Parse(twice[2..10], NumberStyles.HexNumber, CultureInfo.InvariantCulture)));

        var delete = await ProbeReport.OutcomeAsync(() => _hcn.DeleteEndpointAsync(endpoint.Id, CancellationToken.None));
        var after = await _hcn.GetNamespaceAsync(ns.Id, CancellationToken.None);
        ProbeReport.Answer("deleting an endpoint still attached", $"{delete}; the namespace then lists {after.Resources?.Count ?? 0} resource(s)",
            "succeeds and detaches (wincni detaches first anyway, as windows-container-networking)");
    }

    [Test]
    public async Task Probe_SdnRouteRoundTripAtSchema20()
    {
        var network = await NatNetworkAsync("172.31.82");
        var endpoint = await _hcn.CreateEndpointAsync(network.Id, new HostComputeEndpoint
        {
            Name = "wincni-probe-sdn",
            IpConfigurations = [new IpConfig { IpAddress = "172.31.82.10", PrefixLength = 24 }],
        }, CancellationToken.None);
        _cleanup.Add(() => _hcn.DeleteEndpointAsync(endpoint.Id, CancellationToken.None));

        foreach (var arrayName in new[] { "Routes", "Setting" })
        {
            var third = arrayName == "Routes" ? 1 : 2;
            var document = "{\"HostComputeEndpoints\":[\"" + endpoint.Id.ToString("D") + "\"],\"HostComputeNetwork\":\"" + network.Id.ToString("D")
                + "\",\"" + arrayName + "\":[{\"DestinationPrefix\":\"198.18." + third.ToString(CultureInfo.InvariantCulture)
                + ".0/24\",\"NextHop\":\"172.31.82.1\"}],\"SchemaVersion\":{\"Major\":2,\"Minor\":0}}";
            string json;
            try
            {
                json = _native.CreateAndQuery(HcnObjectKind.SdnRoute, Guid.Empty, document, Query, "probe");
            }
            catch (HcnException ex)
            {
                ProbeReport.Answer($"8 SDN route created with '{arrayName}'", $"refused: {ex.HexCode} {ex.Info.Name}");
                continue;
            }

            using var parsed = JsonDocument.Parse(json);
            var root = parsed.RootElement;
            var id = Guid.Parse(root.GetProperty("ID").GetString()!);
            _cleanup.Add(() => Task.Run(() => _native.Delete(HcnObjectKind.SdnRoute, id)));
            var keys = string.Join(", ", root.EnumerateObject().Select(p => p.Name));
            var echoedNetwork = root.TryGetProperty("HostComputeNetwork", out var n) ? n.GetString() : null;
            ProbeReport.Answer($"8 SDN route created with '{arrayName}': members read back", keys);
            ProbeReport.Answer($"8 HostComputeNetwork echoed at 2.0 ('{arrayName}')", echoedNetwork ?? "no",
                "unknown: wincni matches leftover SDN routes by endpoint ID or network ID");
            ProbeReport.Answer($"8 route array read back under ('{arrayName}' sent)",
                root.TryGetProperty("Routes", out _) ? "Routes" : root.TryGetProperty("Setting", out _) ? "Setting" : "neither",
                "either (reads accept both)");
        }
    }

    [Test]
    public async Task Probe_OverlayCreate_FlannelShapeThenHostRouteAndRemoteSubnetRoutes()
    {
        var adapter = Adapter();
        var document = new HostComputeNetwork
        {
            Name = "wincni-probe-vxlan",
            Type = NetworkType.Overlay,
            Policies = [NetworkPolicy.Create(new NetAdapterNamePolicySetting { NetworkAdapterName = adapter })],
            Ipams = [new Cni.Hcn.Model.Ipam
            {
                Type = IpamType.Static,
                Subnets = [new Subnet
                {
                    IpAddressPrefix = "10.254.1.0/24",
                    Routes = [new Route { NextHop = "10.254.1.1", DestinationPrefix = "0.0.0.0/0" }],
                    Policies = [SubnetPolicy.Create(new VsidPolicySetting { IsolationId = 4096 })],
                }],
            }],
        };
        var watch = Stopwatch.StartNew();
        HostComputeNetwork network;
        try
        {
            network = await _hcn.CreateNetworkAsync(document, CancellationToken.None);
        }
        catch (HcnException ex)
        {
            ProbeReport.Answer("2 overlay create, flannel's document", $"refused: {ex.HexCode} {ex.Info.Name} {ex.ErrorRecord?.Error}", "accepted", false);
            return;
        }

        _cleanup.Add(() => _hcn.DeleteNetworkAsync(network.Id, CancellationToken.None));
        ProbeReport.Answer("2 overlay create, flannel's document", $"accepted in {watch.ElapsedMilliseconds} ms", "accepted", true);

        while (Pa(network) is null && watch.Elapsed < TimeSpan.FromSeconds(60))
        {
            await Task.Delay(250);
            network = await _hcn.GetNetworkAsync(network.Id, CancellationToken.None);
        }

        ProbeReport.Answer("4 ProviderAddress reported after", Pa(network) is { } pa ? $"{watch.ElapsedMilliseconds} ms: {pa}" : "not within 60 s", "within 5 s (flannel's wait)", Pa(network) is not null && watch.Elapsed < TimeSpan.FromSeconds(5));
        if (Pa(network) is { } address)
        {
            var routing = new IpHelperHostRouting();
            var vnic = await routing.FindInterfaceIndexAsync(IPAddress.Parse(address), CancellationToken.None);
            while (vnic is null && watch.Elapsed < TimeSpan.FromSeconds(90))
            {
                await Task.Delay(250);
                vnic = await routing.FindInterfaceIndexAsync(IPAddress.Parse(address), CancellationToken.None);
            }

            ProbeReport.Answer("4 host interface holding the ProviderAddress after", vnic is null ? "not within 90 s" : $"{watch.ElapsedMilliseconds} ms: if#{vnic}", "within 25 s", vnic is not null && watch.Elapsed < TimeSpan.FromSeconds(25));
        }

        var drMac = (network.Policies ?? []).Select(p => p.GetSettings<DrMacAddressPolicySetting>()?.Address).FirstOrDefault(a => a is not null);
        ProbeReport.Answer("9 DrMacAddress right after the create", drMac ?? "absent", "present (published as the VTEP MAC once it is)");
        ProbeReport.Answer("policies HNS added", string.Join(", ", (network.Policies ?? []).Select(p => p.Type.ToString())));

        var hostRoute = await ProbeReport.OutcomeAsync(() => ((IHcn)_hcn).AddNetworkPoliciesAsync(network.Id, [NetworkPolicy.Create(new HostRoutePolicySetting())], CancellationToken.None));
        ProbeReport.Answer("2 HostRoute added by a modify", hostRoute, "ok (a refusal is only logged)", hostRoute == "ok");

        var route = new RemoteSubnetRoutePolicySetting { DestinationPrefix = "10.254.2.0/24", IsolationId = 4096, ProviderAddress = "198.51.100.2", DistributedRouterMacAddress = "0e-2a-c6-33-64-02" };
        var add = await ProbeReport.OutcomeAsync(() => ((IHcn)_hcn).AddNetworkPoliciesAsync(network.Id, [NetworkPolicy.Create(route)], CancellationToken.None));
        var echoed = (await _hcn.GetNetworkAsync(network.Id, CancellationToken.None)).Policies?.Select(p => p.GetSettings<RemoteSubnetRoutePolicySetting>()).FirstOrDefault(r => r?.DestinationPrefix == "10.254.2.0/24");
        ProbeReport.Answer("8 RemoteSubnetRoute add", add + (echoed is null ? "" : $"; MAC echoed as {echoed.DistributedRouterMacAddress}"));
        var duplicate = await ProbeReport.OutcomeAsync(() => ((IHcn)_hcn).AddNetworkPoliciesAsync(network.Id, [NetworkPolicy.Create(route)], CancellationToken.None));
        ProbeReport.Answer("8 the same RemoteSubnetRoute added twice", duplicate);

        var wide = route with { DestinationPrefix = "10.254.3.0/24", IsolationId = 70_000 };
        var wideAdd = await ProbeReport.OutcomeAsync(() => ((IHcn)_hcn).AddNetworkPoliciesAsync(network.Id, [NetworkPolicy.Create(wide)], CancellationToken.None));
        var wideEcho = (await _hcn.GetNetworkAsync(network.Id, CancellationToken.None)).Policies?.Select(p => p.GetSettings<RemoteSubnetRoutePolicySetting>()).FirstOrDefault(r => r?.DestinationPrefix == "10.254.3.0/24");
        ProbeReport.Answer("RemoteSubnetRoute with IsolationId 70000", wideAdd + (wideEcho is null ? "" : $"; read back as {wideEcho.IsolationId}"),
            "refused or truncated (wincni caps vxlan.vni at 65535)");
    }

    [Test]
    public async Task Probe_OverlayCreate_EarlierWincniDocument()
    {
        var adapter = Adapter();
        var document = new HostComputeNetwork
        {
            Name = "wincni-probe-vxlan-full",
            Type = NetworkType.Overlay,
            Policies =
            [
                NetworkPolicy.Create(new NetAdapterNamePolicySetting { NetworkAdapterName = adapter }),
                NetworkPolicy.Create(new ProviderAddressPolicySetting { ProviderAddress = AdapterAddress(adapter)?.ToString() ?? "192.0.2.10" }),
                NetworkPolicy.Create(new VxlanPortPolicySetting { Port = 4789 }),
                NetworkPolicy.Create(new HostRoutePolicySetting()),
                NetworkPolicy.Create(new DrMacAddressPolicySetting { Address = "0E-2A-C0-00-02-0A" }),
            ],
            Ipams = [new Cni.Hcn.Model.Ipam
            {
                Type = IpamType.Static,
                Subnets = [new Subnet
                {
                    IpAddressPrefix = "10.254.1.0/24",
                    Routes = [new Route { NextHop = "10.254.1.1", DestinationPrefix = "0.0.0.0/0" }],
                    Policies = [SubnetPolicy.Create(new VsidPolicySetting { IsolationId = 4096 })],
                }],
            }],
        };
        var outcome = await ProbeReport.OutcomeAsync(async () =>
        {
            var network = await _hcn.CreateNetworkAsync(document, CancellationToken.None);
            _cleanup.Add(() => _hcn.DeleteNetworkAsync(network.Id, CancellationToken.None));
        });
        ProbeReport.Answer("2 overlay create with ProviderAddress, VxlanPort, HostRoute and DrMacAddress (the document wincni no longer sends)", outcome,
            "not relied on: flannel's document is what wincni sends");
    }

    [Test]
    public async Task Probe_HostRouting_CodesAndRowShape()
    {
        await using var network = await WindowsTestNetwork.CreateAsync("172.31.83", CancellationToken.None);
        var routing = new IpHelperHostRouting();
        var route = new HostRoute(IPNetwork.Parse("198.18.9.0/24"), IPAddress.Parse("172.31.83.2"), network.InterfaceIndex);
        await routing.AddRouteAsync(route, CancellationToken.None);
        try
        {
            var duplicate = await RoutingOutcomeAsync(() => routing.AddRouteAsync(route, CancellationToken.None));
            ProbeReport.Answer("2 CreateIpForwardEntry2 of an existing route", duplicate, "5010 ERROR_OBJECT_ALREADY_EXISTS", duplicate.StartsWith("5010", StringComparison.Ordinal));
            ProbeReport.Answer("1 CreateIpForwardEntry2's route as Windows keeps it", RowShape(route));
            var persistent = await PowerShellAsync($"@(Get-NetRoute -PolicyStore PersistentStore -DestinationPrefix {route.Destination} -ErrorAction SilentlyContinue).Count");
            ProbeReport.Answer("1 CreateIpForwardEntry2's route in the PersistentStore", persistent, "0 (active store only)", persistent.Trim() == "0");

            // flannel's way, for the row-by-row comparison: New-NetRoute with its defaults, active store only.
            var flannel = route with { Destination = IPNetwork.Parse("198.18.10.0/24") };
            var made = await PowerShellAsync($"New-NetRoute -InterfaceIndex {flannel.InterfaceIndex} -DestinationPrefix {flannel.Destination} -NextHop {flannel.NextHop} -PolicyStore ActiveStore | Out-Null; 'ok'");
            ProbeReport.Answer("1 New-NetRoute's route as Windows keeps it", made.Trim() == "ok" ? RowShape(flannel) : "New-NetRoute failed: " + made);
            await routing.DeleteRouteAsync(flannel, CancellationToken.None);
        }
        finally
        {
            await routing.DeleteRouteAsync(route, CancellationToken.None);
        }

        var api = new IpHelperApi();
        var row = new IpHelperHostRouting(api).RowFor(route);
        var missing = api.DeleteIpForwardEntry2(in row);
        ProbeReport.Answer("2 DeleteIpForwardEntry2 of a missing route", Win32Error.Name(missing) + $" ({missing})", "1168 ERROR_NOT_FOUND (or 2)", missing is Win32Error.NotFound or Win32Error.FileNotFound);

        var before = await routing.GetForwardingAsync(network.InterfaceIndex, AddressFamily.InterNetwork, CancellationToken.None);
        var set = await RoutingOutcomeAsync(() => routing.SetForwardingAsync(network.InterfaceIndex, AddressFamily.InterNetwork, !before, CancellationToken.None));
        var now = await routing.GetForwardingAsync(network.InterfaceIndex, AddressFamily.InterNetwork, CancellationToken.None);
        await routing.SetForwardingAsync(network.InterfaceIndex, AddressFamily.InterNetwork, before, CancellationToken.None);
        ProbeReport.Answer("3 SetIpInterfaceEntry (SitePrefixLength 0) toggling forwarding", $"{set}; read back {now} (was {before})", "ok and read back changed", set == "ok" && now != before);
        var unknown = await RoutingOutcomeAsync(() => routing.SetForwardingAsync(987_654, AddressFamily.InterNetwork, true, CancellationToken.None));
        ProbeReport.Answer("3 SetIpInterfaceEntry on an unknown index", unknown, "an InterfaceNotFound code (2 or 1168)", unknown.Contains("InterfaceNotFound", StringComparison.Ordinal));
    }

    /// <summary>Runs a Windows PowerShell command (NetTCPIP cmdlets) and returns its output, or the error text.</summary>
    private static async Task<string> PowerShellAsync(string command)
    {
        var start = new ProcessStartInfo("powershell.exe") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { "-NoProfile", "-NonInteractive", "-Command", command })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return process.ExitCode == 0 ? output : $"exit {process.ExitCode}: {error.Trim()}";
    }

    private static async Task<string> RoutingOutcomeAsync(Func<Task> call)
    {
        try
        {
            await call();
            return "ok";
        }
        catch (HostRoutingException ex)
        {
            return $"{ex.Code} {ex.CodeName} ({ex.Kind})";
        }
    }

    /// <summary>The stored row of <paramref name="route"/>: the members New-NetRoute's rows would be compared on.</summary>
    private static unsafe string RowShape(HostRoute route)
    {
        var api = new IpHelperApi();
        var code = api.GetIpForwardTable2(SockAddrInet.AfInet, out var table);
        try
        {
            if (code != 0)
            {
                return "GetIpForwardTable2: " + Win32Error.Name(code);
            }

            var count = Marshal.ReadInt32(table);
            for (var i = 0; i < count; i++)
            {
                var row = Unsafe.ReadUnaligned<MibIpForwardRow2>((void*)(table + 8 + (i * sizeof(MibIpForwardRow2))));
                if (row.DestinationPrefix.ToNetwork() is { } destination && destination.Equals(route.Destination) && row.InterfaceIndex == (uint)route.InterfaceIndex)
                {
                    return string.Create(CultureInfo.InvariantCulture,
                        $"Metric {row.Metric}, Protocol {row.Protocol}, Loopback {row.Loopback}, AutoconfigureAddress {row.AutoconfigureAddress}, Publish {row.Publish}, Immortal {row.Immortal}, Origin {row.Origin}, ValidLifetime 0x{row.ValidLifetime:X}");
                }
            }

            return "not found in the table";
        }
        finally
        {
            if (table != 0)
            {
                api.FreeMibTable(table);
            }
        }
    }

    private async Task<HostComputeNetwork> NatNetworkAsync(string subnet24)
    {
        var network = await _hcn.CreateNetworkAsync(new HostComputeNetwork
        {
            Name = "wincni-probe-" + subnet24.Replace('.', '-'),
            Type = NetworkType.Nat,
            Ipams = [new Cni.Hcn.Model.Ipam
            {
                Type = IpamType.Static,
                Subnets = [new Subnet { IpAddressPrefix = subnet24 + ".0/24", Routes = [new Route { NextHop = subnet24 + ".1", DestinationPrefix = "0.0.0.0/0" }] }],
            }],
        }, CancellationToken.None);
        _cleanup.Add(() => _hcn.DeleteNetworkAsync(network.Id, CancellationToken.None));
        return network;
    }

    private static string? Pa(HostComputeNetwork network) =>
        (network.Policies ?? []).Select(p => p.GetSettings<ProviderAddressPolicySetting>()?.ProviderAddress).FirstOrDefault(a => !string.IsNullOrEmpty(a));

    /// <summary>WINCNI_HCN_TEST_ADAPTER, else the up adapter holding the default route (what flannel's extIface is).</summary>
    internal static string Adapter()
    {
        if (Environment.GetEnvironmentVariable("WINCNI_HCN_TEST_ADAPTER") is { Length: > 0 } name)
        {
            return name;
        }

        return NetworkInterface.GetAllNetworkInterfaces()
            .Where(a => a.OperationalStatus == OperationalStatus.Up && a.NetworkInterfaceType != NetworkInterfaceType.Loopback)
            .FirstOrDefault(a => a.GetIPProperties().GatewayAddresses.Any(g => g.Address.AddressFamily == AddressFamily.InterNetwork))?.Name
            ?? "Ethernet";
    }

    private static IPAddress? AdapterAddress(string adapter) =>
        NetworkInterface.GetAllNetworkInterfaces().FirstOrDefault(a => a.Name == adapter)?
            .GetIPProperties().UnicastAddresses.Select(u => u.Address).FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork);
}
