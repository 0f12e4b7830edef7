using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Cni.Spec.Results;

namespace Cni.Spec.Tests.Results;

/// <summary>
/// Seeded random results written in every version: the output holds only the keys the version defines, the
/// 0.3.x/0.4.0 <c>version</c> matches the address family, and conversions through a version that can carry the
/// information come back byte for byte.
/// </summary>
[TestFixture]
public sealed class CniResultPropertyTests
{
    private const int Iterations = 1000;

    private static readonly string[] Versions = ["0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0"];

    private static readonly HashSet<string> TopKeys = ["cniVersion", "interfaces", "ips", "routes", "dns"];
    private static readonly HashSet<string> InterfaceKeys = ["name", "mac", "sandbox"];
    private static readonly HashSet<string> InterfaceKeys110 = ["name", "mac", "sandbox", "mtu", "socketPath", "pciID"];
    private static readonly HashSet<string> IpKeysV03 = ["version", "interface", "address", "gateway"];
    private static readonly HashSet<string> IpKeysV1 = ["interface", "address", "gateway"];
    private static readonly HashSet<string> RouteKeys = ["dst", "gw"];
    private static readonly HashSet<string> RouteKeys110 = ["dst", "gw", "mtu", "advmss", "priority", "table", "scope"];
    private static readonly HashSet<string> DnsKeys = ["nameservers", "domain", "search", "options"];

    [Test]
    public void Serialize_RandomResults_OnlyTheTargetVersionsKeys()
    {
        var random = new Random(1100);
        for (var i = 0; i < Iterations; i++)
        {
            var result = RandomResult(random, Versions[random.Next(Versions.Length)], with11Fields: random.Next(2) == 0);
            foreach (var target in Versions)
            {
                var json = CniJson.Serialize(result, target);
                var problem = CheckKeys(json, target);
                if (problem is not null)
                {
                    Assert.Fail(string.Create(CultureInfo.InvariantCulture, $"iteration {i}, {target}: {problem}\n{Encoding.UTF8.GetString(json)}"));
                }
            }
        }
    }

    [Test]
    public void RoundTrip_RandomResults_ExactThroughAnyVersionThatCarriesThem()
    {
        var random = new Random(4242);
        for (var i = 0; i < Iterations; i++)
        {
            var from = Versions[random.Next(Versions.Length)];
            var with11 = from == "1.1.0" && random.Next(2) == 0;
            var original = CniJson.Serialize(RandomResult(random, from, with11));

            // Writing what was read changes nothing.
            var reread = CniJson.Serialize(CniJson.ParseResult(original));
            if (!reread.AsSpan().SequenceEqual(original))
            {
                Assert.Fail(string.Create(CultureInfo.InvariantCulture, $"iteration {i}: re-serialising changed\n{Encoding.UTF8.GetString(original)}\n{Encoding.UTF8.GetString(reread)}"));
            }

            foreach (var via in with11 ? ["1.1.0"] : Versions)
            {
                var converted = CniJson.Serialize(CniJson.ParseResult(original), via);
                var back = CniJson.Serialize(CniJson.ParseResult(converted), from);
                if (!back.AsSpan().SequenceEqual(original))
                {
                    Assert.Fail(string.Create(CultureInfo.InvariantCulture, $"iteration {i}: {from} -> {via} -> {from}\n{Encoding.UTF8.GetString(original)}\n{Encoding.UTF8.GetString(back)}"));
                }
            }
        }
    }

    private static string? CheckKeys(byte[] json, string version)
    {
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        var v03 = CniVersion.FamilyOf(version) == CniResultFamily.V03;
        var is110 = version == "1.1.0";
        if (root.GetProperty("cniVersion").GetString() != version)
        {
            return "wrong cniVersion";
        }

        var interfaceCount = 0;
        foreach (var p in root.EnumerateObject())
        {
            if (!TopKeys.Contains(p.Name))
            {
                return "unexpected key " + p.Name;
            }
        }

        if (root.TryGetProperty("interfaces", out var interfaces))
        {
            foreach (var item in interfaces.EnumerateArray())
            {
                interfaceCount++;
                if (Extra(item, is110 ? InterfaceKeys110 : InterfaceKeys) is { } extra)
                {
                    return "interface key " + extra;
                }
            }
        }

        if (root.TryGetProperty("ips", out var ips))
        {
            foreach (var item in ips.EnumerateArray())
            {
                if (Extra(item, v03 ? IpKeysV03 : IpKeysV1) is { } extra)
                {
                    return "ip key " + extra;
                }

                var address = IpAddressWithPrefix.Parse(item.GetProperty("address").GetString()!);
                if (v03 && item.GetProperty("version").GetString() != (address.IsIPv4 ? "4" : "6"))
                {
                    return "ip version does not match the address family";
                }

                if (item.TryGetProperty("interface", out var index) && (index.GetInt32() < 0 || index.GetInt32() >= interfaceCount))
                {
                    return "interface index out of range";
                }
            }
        }

        if (root.TryGetProperty("routes", out var routes))
        {
            foreach (var item in routes.EnumerateArray())
            {
                if (Extra(item, is110 ? RouteKeys110 : RouteKeys) is { } extra)
                {
                    return "route key " + extra;
                }
            }
        }

        if (root.TryGetProperty("dns", out var dns))
        {
            if (Extra(dns, DnsKeys) is { } extra)
            {
                return "dns key " + extra;
            }

            if (!v03 && !dns.EnumerateObject().Any())
            {
                return "empty dns in a 1.x result";
            }
        }

        return null;
    }

    private static string? Extra(JsonElement element, HashSet<string> allowed) =>
        element.EnumerateObject().Select(p => p.Name).FirstOrDefault(name => !allowed.Contains(name));

    private static CniResult RandomResult(Random random, string version, bool with11Fields)
    {
        var interfaces = Enumerable.Range(0, random.Next(0, 4)).Select(i => new ResultInterface
        {
            Name = "if" + i.ToString(CultureInfo.InvariantCulture),
            Mac = random.Next(2) == 0 ? null : "0a:58:0a:01:00:0" + i.ToString(CultureInfo.InvariantCulture),
            Sandbox = random.Next(2) == 0 ? null : "31b673d2-2b52-480a-8ca2-ffd04ffb4a6" + i.ToString(CultureInfo.InvariantCulture),
            Mtu = with11Fields && random.Next(2) == 0 ? random.Next(0, 9001) : null,
            SocketPath = with11Fields && random.Next(3) == 0 ? "/run/vhost/sock" + i.ToString(CultureInfo.InvariantCulture) : null,
            PciId = with11Fields && random.Next(3) == 0 ? "0000:04:00." + i.ToString(CultureInfo.InvariantCulture) : null,
        }).ToList();

        var ips = Enumerable.Range(0, random.Next(0, 4)).Select(_ => new ResultIpConfig
        {
            Address = RandomAddress(random),
            Gateway = random.Next(2) == 0 ? null : RandomAddress(random).Address,
            Interface = interfaces.Count > 0 && random.Next(3) != 0 ? random.Next(interfaces.Count) : null,
        }).ToList();

        var routes = Enumerable.Range(0, random.Next(0, 3)).Select(_ => new ResultRoute
        {
            Dst = RandomAddress(random),
            Gw = random.Next(2) == 0 ? null : RandomAddress(random).Address,
            Mtu = with11Fields && random.Next(2) == 0 ? random.Next(0, 9001) : null,
            AdvMss = with11Fields && random.Next(3) == 0 ? random.Next(0, 9001) : null,
            Priority = with11Fields && random.Next(3) == 0 ? random.Next(0, 1000) : null,
            Table = with11Fields && random.Next(3) == 0 ? random.Next(0, 300) : null,
            Scope = with11Fields && random.Next(3) == 0 ? random.Next(0, 256) : null,
        }).ToList();

        // Only null or a non-empty dns: an empty block is (by design) left out of 1.x, so it cannot round-trip through 1.x.
        var dns = random.Next(2) == 0 ? null : new CniDns
        {
            Nameservers = ["10.96.0.10"],
            Domain = random.Next(2) == 0 ? null : "cluster.local",
            Search = random.Next(2) == 0 ? [] : ["svc.cluster.local", "cluster.local"],
            Options = random.Next(2) == 0 ? [] : ["ndots:5"],
        };

        return new CniResult { CniVersion = version, Interfaces = interfaces, Ips = ips, Routes = routes, Dns = dns };
    }

    private static IpAddressWithPrefix RandomAddress(Random random)
    {
        if (random.Next(2) == 0)
        {
            var bytes = new byte[4];
            random.NextBytes(bytes);
            return new IpAddressWithPrefix(new IPAddress(bytes), random.Next(0, 33));
        }

        var v6 = new byte[16];
        random.NextBytes(v6);
        if (random.Next(2) == 0)
        {
            Array.Clear(v6, 4, 10); // runs of zeros exercise "::" compression
        }

        return new IpAddressWithPrefix(new IPAddress(v6), random.Next(0, 129));
    }
}
