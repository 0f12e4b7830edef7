using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Cni.Spec.Tests.Support;

namespace Cni.Spec.Tests;

/// <summary>
/// Randomised, reproducible (fixed seed) abuse of <see cref="PluginInvocation.Parse"/>: mutated bytes, truncation,
/// type swaps, huge numbers, deep nesting, invalid UTF-8 and odd environments. The contract under test: only
/// CniException escapes, every error is a well-formed spec document, and nothing is reported as an internal bug.
/// </summary>
[TestFixture]
public sealed class FuzzTests
{
    private const int Iterations = 5000;

    /// <summary>Overlong, truncated and surrogate-encoding sequences.</summary>
    private static readonly byte[] InvalidUtf8 = [0xFF, 0xC0, 0x80, 0xED, 0xA0, 0x80];

    private static readonly int[] SpecCodes = [1, 2, 3, 4, 5, 6, 7, 8, 11, 50, 51, 999];

    private static readonly string[] Seeds =
    [
        TestEnv.C11,
        """{"cniVersion":"1.1.0","name":"dbnet","type":"wincni","socket":"/run/wincni/wincnid.sock","logFile":"/var/log/w.log","timeoutSeconds":30,"capabilities":{"portMappings":true,"dns":true},"ipMasq":true,"ipam":{"type":"host-local","ranges":[[{"subnet":"10.1.0.0/16"}]]},"dns":{"nameservers":["10.96.0.10"],"domain":"cluster.local","search":["svc"],"options":["ndots:5"]}}""",
        """{"cniVersion":"1.1.0","name":"dbnet","type":"x","prevResult":{"cniVersion":"1.1.0","interfaces":[{"name":"cni0","mac":"00:11:22:33:44:55"},{"name":"eth0","mac":"0a:58:0a:01:00:05","mtu":1450,"sandbox":"/x","socketPath":"/s","pciID":"0000:04:00.5"}],"ips":[{"address":"10.1.0.5/16","gateway":"10.1.0.1","interface":1},{"address":"fd00::5/64","interface":1}],"routes":[{"dst":"0.0.0.0/0","gw":"10.1.0.1","mtu":1400,"advmss":1360,"priority":100,"table":100,"scope":0}],"dns":{"nameservers":["10.96.0.10"]}}}""",
        """{"cniVersion":"0.4.0","name":"dbnet","type":"x","prevResult":{"cniVersion":"0.4.0","interfaces":[{"name":"eth0","sandbox":"/x"}],"ips":[{"version":"4","interface":0,"address":"10.1.0.5/16","gateway":"10.1.0.1"}],"routes":[{"dst":"0.0.0.0/0"}],"dns":{}}}""",
        """{"cniVersion":"1.1.0","name":"dbnet","type":"x","capabilities":{"portMappings":true},"runtimeConfig":{"portMappings":[{"HostPort":8080,"ContainerPort":80,"Protocol":"tcp","HostIP":""}],"bandwidth":{"IngressRate":1000000,"IngressBurst":4294967295,"EgressRate":0,"EgressBurst":0},"dns":{"Servers":["10.96.0.10"],"Searches":["default.svc.cluster.local"],"Options":["ndots:5"]},"ips":["10.1.2.3/24"],"mac":"c2:11:22:33:44:55","ipRanges":[[{"subnet":"10.1.0.0/16","rangeStart":"10.1.0.10","rangeEnd":"10.1.0.20","gateway":"10.1.0.1"}]],"io.kubernetes.cri.pod-annotations":{"a":"b"},"aliases":["x"],"cgroupPath":"/c","deviceID":"0000:04:00.5","infinibandGUID":"c2:11:22:33:44:55:66:77"}}""",
        """{"cniVersion":"1.1.0","name":"dbnet","type":"x","cni.dev/valid-attachments":[{"containerID":"abc123","ifname":"eth0"}],"cni.dev/attachments":[{"containerID":"abc123","ifname":"eth0"}],"args":{"cni":{"ips":["10.1.0.9"]}}}""",
    ];

    private static readonly string[] Commands = ["ADD", "DEL", "CHECK", "STATUS", "GC", "add", "FOO", "", "VERSION"];

    private static readonly string?[] Odd =
    [
        null, "", "_abc", "..", ".", "eth0123456789abcd", "et h0", "a/b", "a:b", "dummy", "none", "container:abc",
        "{31B673D2-2B52-480A-8CA2-FFD04FFB4A68}", "31b673d2-2b52-480a-8ca2-ffd04ffb4a68", "/proc/self/ns/net", "ü", "\0", "\ud800",
        new string('a', 5000),
    ];

    private static readonly string?[] OddArgs =
    [
        null, "", ";", "a=b=c", "IgnoreUnknown=1;FOO=bar", "FOO=bar", "IgnoreUnknown=maybe", "K8S_POD_NAME=x;",
        "IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME=p;K8S_POD_INFRA_CONTAINER_ID=abc;K8S_POD_UID=u",
        "=x", "K8S_POD_NAME=\ud83d\ude00", "IP=10.1.0.5;MAC=c2:11:22:33:44:55",
    ];

    /// <remarks>About 1–2 s on an idle machine; the bound is loose because CI machines are shared.</remarks>
    [Test]
    [MaxTime(20_000)]
    public void Parse_RandomisedInput_OnlyWellFormedCniErrors()
    {
        var random = new Random(20261128);
        var stopwatch = Stopwatch.StartNew();
        var successes = 0;
        var codes = new Dictionary<int, int>();
        for (var i = 0; i < Iterations; i++)
        {
            var seed = Seeds[random.Next(Seeds.Length)];
            var stdin = Mutate(random, seed);
            var env = RandomEnv(random);
            try
            {
                var request = PluginInvocation.Parse(env.Getenv(), stdin);
                successes++;
                CheckRequest(request);
            }
            catch (CniException e)
            {
                codes[(int)e.Code] = codes.GetValueOrDefault((int)e.Code) + 1;
                CheckError(e, i, stdin, env);
            }
            catch (Exception e)
            {
                Assert.Fail(string.Create(CultureInfo.InvariantCulture, $"iteration {i}: {e.GetType().Name} escaped: {e.Message}\nstdin: {Preview(stdin)}"));
            }
        }

        TestContext.Out.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"{successes} valid, errors by code: {string.Join(", ", codes.OrderBy(c => c.Key).Select(c => c.Key + "=" + c.Value))}, {stopwatch.ElapsedMilliseconds} ms"));
        Assert.Multiple(() =>
        {
            Assert.That(successes, Is.GreaterThan(Iterations / 50), "the fuzzer should also produce valid requests");
            Assert.That(codes.Keys, Has.Member(4).And.Member(6).And.Member(7).And.Member(1));
        });
    }

    [Test]
    [MaxTime(20_000)]
    public void VersionResponseFor_RandomisedInput_AlwaysAnswers()
    {
        var random = new Random(4096);
        for (var i = 0; i < Iterations; i++)
        {
            var stdin = Mutate(random, random.Next(3) == 0 ? "{\"cniVersion\":\"0.4.0\"}" : Seeds[random.Next(Seeds.Length)]);
            string? version;
            try
            {
                using var doc = JsonDocument.Parse(VersionInfo.ResponseFor(stdin.Span));
                version = doc.RootElement.GetProperty("cniVersion").GetString();
            }
            catch (Exception e)
            {
                Assert.Fail(string.Create(CultureInfo.InvariantCulture, $"iteration {i}: {e.GetType().Name}: {e.Message}\nstdin: {Preview(stdin)}"));
                return;
            }

            if (!CniVersion.IsSupported(version))
            {
                Assert.Fail(string.Create(CultureInfo.InvariantCulture, $"iteration {i}: answered unsupported {version}"));
            }
        }
    }

    private static void CheckRequest(PluginRequest request)
    {
        // A parsed prevResult must always be writable again (no invariant the writer rejects slips through parsing).
        if (request.Config.PrevResult is { } prev)
        {
            CniJson.Serialize(prev, request.Config.CniVersion);
        }

        if (string.IsNullOrEmpty(request.Config.Name))
        {
            Assert.Fail("a request without a name was accepted");
        }
    }

    /// <summary>Plain checks with Assert.Fail only on a problem: thousands of constraint asserts would dominate the run time.</summary>
    private static void CheckError(CniException e, int iteration, ReadOnlyMemory<byte> stdin, Dictionary<string, string?> env)
    {
        var bytes = CniJson.Serialize(e.Error);
        using var doc = JsonDocument.Parse(bytes);
        var root = doc.RootElement;
        var code = root.GetProperty("code").GetInt32();
        var msg = root.GetProperty("msg").GetString();
        var version = root.GetProperty("cniVersion").GetString();
        var isVersionCommand = env.GetValueOrDefault("CNI_COMMAND") == "VERSION";

        // Calling Parse for VERSION is the caller's mistake (VersionInfo answers it) and is reported as internal (999);
        // for every other invocation a 999 would be a parser bug.
        string? problem =
            Array.IndexOf(SpecCodes, code) < 0 ? "code is not a spec code" :
            isVersionCommand && code != 999 ? "VERSION through Parse should be 999" :
            !isVersionCommand && code == 999 ? "internal error" :
            string.IsNullOrEmpty(msg) ? "empty msg" :
            !CniVersion.IsSupported(version) ? "cniVersion missing or unsupported" :
            null;
        if (problem is not null)
        {
            Assert.Fail(string.Create(
                CultureInfo.InvariantCulture,
                $"iteration {iteration}: {problem}: {code} {e.Error.Msg} / {e.Error.Details}\nstdin: {Preview(stdin)}\nCNI_COMMAND={env.GetValueOrDefault("CNI_COMMAND")}"));
        }
    }

    private static Dictionary<string, string?> RandomEnv(Random random)
    {
        // Most iterations get a sound environment so the stdin mutations reach the deeper parsers.
        if (random.Next(5) < 3)
        {
            return TestEnv.E(Commands[random.Next(5)]);
        }

        var env = TestEnv.E(Commands[random.Next(Commands.Length)]);
        if (random.Next(4) == 0)
        {
            env.Remove("CNI_COMMAND");
        }

        foreach (var name in new[] { "CNI_CONTAINERID", "CNI_NETNS", "CNI_IFNAME", "CNI_PATH" })
        {
            if (random.Next(8) == 0)
            {
                env[name] = Odd[random.Next(Odd.Length)];
            }
        }

        if (random.Next(3) == 0)
        {
            env["CNI_ARGS"] = OddArgs[random.Next(OddArgs.Length)];
        }

        return env;
    }

    private static ReadOnlyMemory<byte> Mutate(Random random, string seed)
    {
        var rounds = random.Next(0, 4);
        var bytes = Encoding.UTF8.GetBytes(seed);
        for (var r = 0; r < rounds; r++)
        {
            bytes = random.Next(9) switch
            {
                0 => FlipByte(random, bytes),
                1 => bytes[..random.Next(bytes.Length + 1)],
                2 => InsertBytes(random, bytes, InvalidUtf8[random.Next(InvalidUtf8.Length)..]),
                3 => DeleteRange(random, bytes),
                _ => StructuralMutation(random, bytes),
            };
        }

        return bytes;
    }

    private static byte[] FlipByte(Random random, byte[] bytes)
    {
        if (bytes.Length == 0)
        {
            return bytes;
        }

        var copy = (byte[])bytes.Clone();
        copy[random.Next(copy.Length)] = (byte)random.Next(256);
        return copy;
    }

    private static byte[] InsertBytes(Random random, byte[] bytes, byte[] insert)
    {
        var at = random.Next(bytes.Length + 1);
        return [.. bytes[..at], .. insert, .. bytes[at..]];
    }

    private static byte[] DeleteRange(Random random, byte[] bytes)
    {
        if (bytes.Length == 0)
        {
            return bytes;
        }

        var at = random.Next(bytes.Length);
        var length = random.Next(1, Math.Min(16, bytes.Length - at) + 1);
        return [.. bytes[..at], .. bytes[(at + length)..]];
    }

    /// <summary>Parses the JSON (when still valid) and replaces a random value with a hostile one.</summary>
    private static byte[] StructuralMutation(Random random, byte[] bytes)
    {
        if (!System.Text.Unicode.Utf8.IsValid(bytes))
        {
            return bytes; // JsonNode cannot enumerate invalid text; the byte mutations cover this input
        }

        JsonNode? root;
        try
        {
            root = JsonNode.Parse(bytes);
        }
        catch (JsonException)
        {
            return bytes;
        }

        if (root is null)
        {
            return bytes;
        }

        var nodes = new List<JsonNode>();
        Collect(root, nodes);
        var target = nodes[random.Next(nodes.Count)];
        var replacement = Hostile(random);
        switch (target.Parent)
        {
            case JsonObject parent:
                parent[target.GetPropertyName()] = replacement;
                break;
            case JsonArray array:
                array[target.GetElementIndex()] = replacement;
                break;
            default:
                return Encoding.UTF8.GetBytes(replacement?.ToJsonString() ?? "null");
        }

        return Encoding.UTF8.GetBytes(root.ToJsonString());
    }

    private static void Collect(JsonNode node, List<JsonNode> into)
    {
        into.Add(node);
        switch (node)
        {
            case JsonObject o:
                foreach (var (_, child) in o)
                {
                    if (child is not null)
                    {
                        Collect(child, into);
                    }
                }

                break;
            case JsonArray a:
                foreach (var child in a)
                {
                    if (child is not null)
                    {
                        Collect(child, into);
                    }
                }

                break;
            default:
                break;
        }
    }

    private static JsonNode? Hostile(Random random) => random.Next(16) switch
    {
        0 => null,
        1 => JsonValue.Create(true),
        2 => JsonValue.Create(-1),
        3 => JsonNode.Parse("1e999999"),
        4 => JsonNode.Parse("123456789012345678901234567890"),
        5 => JsonValue.Create(0.5),
        6 => JsonValue.Create(""),
        7 => JsonValue.Create(new string('x', random.Next(1, 20_000))),
        8 => new JsonArray(),
        9 => new JsonObject(),
        10 => JsonNode.Parse(new string('[', 40) + new string(']', 40)),
        11 => JsonNode.Parse("[{\"a\":" + new string('[', 70) + new string(']', 70) + "}]", documentOptions: new JsonDocumentOptions { MaxDepth = 256 }),
        12 => JsonValue.Create("10.1.0.5/16"),
        13 => JsonValue.Create(int.MaxValue),
        14 => JsonValue.Create("\ud800"),
        _ => JsonValue.Create("notacidr"),
    };

    private static string Preview(ReadOnlyMemory<byte> stdin)
    {
        var text = Encoding.UTF8.GetString(stdin.Span);
        return text.Length <= 400 ? text : text[..400] + "…";
    }
}
