using System.Text;
using Cni.Daemon.Tests.EndToEnd;

namespace Cni.Daemon.Tests.Faults;

/// <summary>
/// A hostile or broken runtime's input through the published binaries (<c>wincni</c> → <c>wincnid</c>, memory
/// dataplane): malformed, oversized and wrong-typed network configurations and CNI_* variables. Each is answered with
/// its CNI error code and a message naming the field or variable, and changes nothing: the pods already on the node
/// keep their leases and endpoints, and no new ones appear.
/// </summary>
[TestFixture]
[Category("Faults")]
[NonParallelizable]
public sealed class BadInputCorpusTests
{
    private static readonly string[] Residents = ["resident0", "resident1", "resident2"];

    private Sandbox _sandbox = null!;
    private WincnidProcess _daemon = null!;
    private Wincni _wincni = null!;
    private DaemonStatus _baseline = null!;

    /// <summary>One bad input: what changes from a valid ADD, and the answer it must get.</summary>
    /// <param name="Names">Text the error document must contain: the field or variable, or the whole message.</param>
    /// <param name="ContainerId">CNI_CONTAINERID (and the netns made from it): a resident's, to aim the input at its lease.</param>
    public sealed record BadInput(string Name, int Code, string Names, string? Stdin = null, IReadOnlyDictionary<string, string?>? Environment = null, string Command = "ADD", string ContainerId = "intruder")
    {
        public override string ToString() => Name;
    }

    private static IEnumerable<TestCaseData> Corpus()
    {
        const string Head = "\"cniVersion\":\"1.1.0\",\"name\":\"wincni\",\"type\":\"wincni\",\"socket\":SOCKET";
        string Config(string members) => "{" + Head + (members.Length > 0 ? "," + members : "") + "}";
        const string Bridge = "{\"cniVersion\":\"1.1.0\",\"name\":\"wincni\",\"type\":\"bridge\",\"socket\":SOCKET";
        const string AnotherPlugins = "type: 'bridge' is another plugin's; wincnid serves only network configs with \"type\": \"wincni\"";
        BadInput[] inputs =
        [
            // The environment (code 4, naming the variable).
            new("CNI_COMMAND missing", 4, "CNI_COMMAND", Environment: Env(("CNI_COMMAND", null))),
            new("CNI_COMMAND unknown", 4, "CNI_COMMAND", Environment: Env(("CNI_COMMAND", "ATTACH"))),
            new("CNI_CONTAINERID missing", 4, "CNI_CONTAINERID", Environment: Env(("CNI_CONTAINERID", null))),
            new("CNI_CONTAINERID with a slash", 4, "CNI_CONTAINERID", Environment: Env(("CNI_CONTAINERID", "../../etc"))),
            new("CNI_CONTAINERID of 5000 characters", 4, "CNI_CONTAINERID", Environment: Env(("CNI_CONTAINERID", new string('a', 5000)))),
            new("CNI_NETNS missing on ADD", 4, "CNI_NETNS", Environment: Env(("CNI_NETNS", null))),
            new("CNI_NETNS none", 4, "CNI_NETNS", Environment: Env(("CNI_NETNS", "none"))),
            new("CNI_NETNS container reference", 4, "CNI_NETNS", Environment: Env(("CNI_NETNS", "container:abc"))),
            new("CNI_NETNS missing on CHECK", 4, "CNI_NETNS", Stdin: Config("\"prevResult\":{\"cniVersion\":\"1.1.0\"}"), Environment: Env(("CNI_NETNS", null)), Command: "CHECK", ContainerId: "resident0"),
            new("CNI_IFNAME missing", 4, "CNI_IFNAME", Environment: Env(("CNI_IFNAME", null))),
            new("CNI_IFNAME of 16 characters", 4, "CNI_IFNAME", Environment: Env(("CNI_IFNAME", "eth0123456789abc"))),
            new("CNI_IFNAME with a slash", 4, "CNI_IFNAME", Environment: Env(("CNI_IFNAME", "eth/0"))),
            new("CNI_IFNAME dot", 4, "CNI_IFNAME", Environment: Env(("CNI_IFNAME", "."))),
            new("CNI_PATH missing on GC", 4, "CNI_PATH", Stdin: Config("\"cni.dev/valid-attachments\":[]"), Environment: Env(("CNI_PATH", null)), Command: "GC"),
            new("CNI_ARGS pair without =", 4, "CNI_ARGS", Environment: Env(("CNI_ARGS", "K8S_POD_NAME"))),
            new("CNI_ARGS unknown key without IgnoreUnknown", 4, "CNI_ARGS", Environment: Env(("CNI_ARGS", "COLOUR=blue"))),

            // The network configuration's encoding (code 6).
            new("stdin empty", 6, "network config", Stdin: ""),
            new("stdin not JSON", 6, "network config", Stdin: "{\"cniVersion\":"),
            new("stdin a JSON array", 6, "network config", Stdin: "[]"),
            new("stdin not UTF-8", 6, "network config", Stdin: "{\"cniVersion\":\"1.1.0\",\"name\":\"\xff\xfe\"}"),
            new("stdin over 4 MiB", 5, "4194304", Stdin: Config("\"pad\":\"" + new string('x', 5 * 1024 * 1024) + "\"")),
            new("stdin nested 10000 deep", 6, "network config", Stdin: Config("\"deep\":" + new string('[', 10000) + new string(']', 10000))),

            // The network configuration's fields: a value of the wrong JSON type is a decoding failure (6, as the
            // reference library's unmarshalling answers), a well-typed but invalid one an invalid config (7); an
            // unsupported version is 1.
            new("cniVersion unsupported", 1, "incompatible CNI versions: config is \"9.9.9\"", Stdin: "{\"cniVersion\":\"9.9.9\",\"name\":\"wincni\",\"type\":\"wincni\",\"socket\":SOCKET}"),
            new("cniVersion a number", 6, "cniVersion", Stdin: "{\"cniVersion\":1.1,\"name\":\"wincni\",\"type\":\"wincni\",\"socket\":SOCKET}"),
            new("name missing", 7, "name", Stdin: "{\"cniVersion\":\"1.1.0\",\"type\":\"wincni\",\"socket\":SOCKET}"),
            new("name a number", 6, "name", Stdin: "{\"cniVersion\":\"1.1.0\",\"name\":7,\"type\":\"wincni\",\"socket\":SOCKET}"),
            new("name of 300 characters", 7, "name", Stdin: "{\"cniVersion\":\"1.1.0\",\"name\":\"" + new string('n', 300) + "\",\"type\":\"wincni\",\"socket\":SOCKET}"),
            new("type missing", 7, "type", Stdin: "{\"cniVersion\":\"1.1.0\",\"name\":\"wincni\",\"socket\":SOCKET}"),
            new("type a path", 7, "type", Stdin: "{\"cniVersion\":\"1.1.0\",\"name\":\"wincni\",\"type\":\"../wincni\",\"socket\":SOCKET}"),
            new("cniVersion 0.3.1 on CHECK", 1, "CHECK", Stdin: "{\"cniVersion\":\"0.3.1\",\"name\":\"wincni\",\"type\":\"wincni\",\"socket\":SOCKET,\"prevResult\":{\"cniVersion\":\"0.3.1\"}}", Command: "CHECK", ContainerId: "resident0"),
            new("cniVersion 1.0.0 on GC", 1, "GC", Stdin: "{\"cniVersion\":\"1.0.0\",\"name\":\"wincni\",\"type\":\"wincni\",\"socket\":SOCKET,\"cni.dev/valid-attachments\":[]}", Command: "GC"),

            // Another plugin's config reached wincni (a copied conflist, a renamed binary): refused for every command,
            // so a DEL or GC under it cannot release wincni's leases.
            new("type another plugin's on ADD", 7, AnotherPlugins, Stdin: Bridge + "}"),
            new("type another plugin's on DEL of a resident", 7, AnotherPlugins, Stdin: Bridge + "}", Command: "DEL", ContainerId: "resident0"),
            new("type another plugin's on CHECK of a resident", 7, AnotherPlugins, Stdin: Bridge + ",\"prevResult\":{\"cniVersion\":\"1.1.0\"}}", Command: "CHECK", ContainerId: "resident0"),
            new("type another plugin's on GC keeping nothing", 7, AnotherPlugins, Stdin: Bridge + ",\"cni.dev/valid-attachments\":[]}", Command: "GC"),
            new("name with a space", 7, "name", Stdin: "{\"cniVersion\":\"1.1.0\",\"name\":\"win cni\",\"type\":\"wincni\",\"socket\":SOCKET}"),
            new("socket a number", 6, "socket", Stdin: "{\"cniVersion\":\"1.1.0\",\"name\":\"wincni\",\"type\":\"wincni\",\"socket\":7}"),
            new("args a string", 6, "args", Stdin: Config("\"args\":\"cni\"")),
            new("ipam a list", 6, "ipam", Stdin: Config("\"ipam\":[]")),
            new("timeoutSeconds negative", 7, "timeoutSeconds", Stdin: Config("\"timeoutSeconds\":-1")),
            new("timeoutSeconds a string", 6, "timeoutSeconds", Stdin: Config("\"timeoutSeconds\":\"ten\"")),
            new("runtimeConfig a string", 6, "runtimeConfig", Stdin: Config("\"runtimeConfig\":\"ports\"")),
            new("portMappings not a list", 6, "portMappings", Stdin: Config("\"capabilities\":{\"portMappings\":true},\"runtimeConfig\":{\"portMappings\":{\"hostPort\":80}}")),
            new("portMappings hostPort 70000", 7, "hostPort", Stdin: Config("\"capabilities\":{\"portMappings\":true},\"runtimeConfig\":{\"portMappings\":[{\"hostPort\":70000,\"containerPort\":80,\"protocol\":\"tcp\"}]}")),
            new("portMappings protocol icmp", 7, "protocol", Stdin: Config("\"capabilities\":{\"portMappings\":true},\"runtimeConfig\":{\"portMappings\":[{\"hostPort\":8080,\"containerPort\":80,\"protocol\":\"icmp\"}]}")),
            new("dns servers not addresses", 7, "dns", Stdin: Config("\"capabilities\":{\"dns\":true},\"runtimeConfig\":{\"dns\":{\"servers\":[\"not-an-ip\"]}}")),
            new("prevResult a string on CHECK", 6, "prevResult", Stdin: Config("\"prevResult\":\"ok\""), Command: "CHECK"),
            new("prevResult ips address no prefix on CHECK", 6, "prevResult", Stdin: Config("\"prevResult\":{\"cniVersion\":\"1.1.0\",\"ips\":[{\"address\":\"10.244.0.9\"}]}"), Command: "CHECK"),
            new("prevResult ips address not an address on CHECK", 6, "prevResult", Stdin: Config("\"prevResult\":{\"cniVersion\":\"1.1.0\",\"ips\":[{\"address\":\"ten/24\"}]}"), Command: "CHECK", ContainerId: "resident0"),
            new("prevResult ips interface out of range on CHECK", 6, "interface", Stdin: Config("\"prevResult\":{\"cniVersion\":\"1.1.0\",\"interfaces\":[{\"name\":\"eth0\"}],\"ips\":[{\"address\":\"10.244.0.9/24\",\"interface\":5}]}"), Command: "CHECK", ContainerId: "resident0"),
            new("GC valid-attachments not a list", 6, "cni.dev/valid-attachments", Stdin: Config("\"cni.dev/valid-attachments\":{\"containerID\":\"x\"}"), Command: "GC"),
            new("GC valid-attachments entry without ifname", 7, "ifname", Stdin: Config("\"cni.dev/valid-attachments\":[{\"containerID\":\"resident0\"}]"), Command: "GC"),
        ];
        return inputs.Select(i => new TestCaseData(i).SetName("Wincni_" + i.Name.Replace(' ', '_').Replace("'", "", StringComparison.Ordinal) + "_ErrorNamesItAndNothingChanges"));
    }

    private static Dictionary<string, string?> Env(params (string Name, string? Value)[] changes) =>
        changes.ToDictionary(c => c.Name, c => c.Value, StringComparer.Ordinal);

    [OneTimeSetUp]
    public async Task StartDaemonWithResidentPods()
    {
        _sandbox = new Sandbox();
        _daemon = await WincnidProcess.StartReadyAsync(_sandbox);
        _wincni = new Wincni(_sandbox);
        foreach (var resident in Residents)
        {
            var added = await _wincni.AddAsync(resident);
            Assert.That(added.Succeeded, Is.True, added.Message);
        }

        _baseline = await DaemonStatus.FetchAsync(_sandbox.Socket);
        Assert.That(_baseline.LeaseIpByContainer.Keys, Is.EquivalentTo(Residents));
    }

    [OneTimeTearDown]
    public void StopDaemon()
    {
        _daemon?.Dispose();
        _sandbox?.Dispose();
    }

    [TestCaseSource(nameof(Corpus))]
    [Order(1)]
    [CancelAfter(120_000)]
    public async Task Wincni_BadInput_ErrorNamesItAndNothingChanges(BadInput input, CancellationToken cancellationToken)
    {
        var socket = System.Text.Json.JsonSerializer.Serialize(_sandbox.Socket, TestJsonContext.Default.String);
        var stdin = (input.Stdin ?? _wincni.Config()).Replace("SOCKET", socket, StringComparison.Ordinal);
        var environment = input.Command == "GC"
            ? new Dictionary<string, string> { ["CNI_COMMAND"] = "GC", ["CNI_PATH"] = "/opt/cni/bin" }
            : _wincni.Env(input.Command, input.ContainerId);
        foreach (var (name, value) in input.Environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                environment.Remove(name);
            }
            else
            {
                environment[name] = value;
            }
        }

        // Bytes, not a string: the not-UTF-8 case must reach wincni as the bytes it names.
        var bytes = input.Name.Contains("UTF-8", StringComparison.Ordinal) ? Latin1(stdin) : Encoding.UTF8.GetBytes(stdin);
        var outcome = await Wincni.RunAsync(environment, bytes);

        var after = await DaemonStatus.FetchAsync(_sandbox.Socket, cancellationToken);
        if (after.LeaseIpByContainer.ContainsKey("intruder"))
        {
            // It was accepted (the assertions below say so): remove it, so the next input starts from the baseline.
            await _wincni.DelAsync("intruder");
        }

        Assert.Multiple(() =>
        {
            Assert.That(outcome.ExitCode, Is.Not.Zero, outcome.Message);
            Assert.That(outcome.ErrorCode, Is.EqualTo(input.Code), outcome.Message);
            Assert.That(Msg(outcome), Does.Contain(input.Names), "the error names the field or variable: " + outcome.Stdout);
            Assert.That(outcome.Stderr, Does.Not.Contain("   at "), "no stack trace");
            Assert.That(_daemon.HasExited, Is.False, "wincnid died:\n" + _daemon.Output);
            Assert.That(after.LeaseIpByContainer, Is.EquivalentTo(_baseline.LeaseIpByContainer), "leases changed");
            Assert.That(after.EndpointIpByName, Is.EquivalentTo(_baseline.EndpointIpByName), "endpoints changed");
        });
    }

    /// <summary>After the whole corpus the residents keep their addresses and wincnid still runs.</summary>
    [Test]
    [Order(2)]
    [CancelAfter(60_000)]
    public async Task Residents_AfterTheWholeCorpus_KeepTheirAddresses(CancellationToken cancellationToken)
    {
        var status = await DaemonStatus.FetchAsync(_sandbox.Socket, cancellationToken);
        Assert.That(status.LeaseIpByContainer, Is.EquivalentTo(_baseline.LeaseIpByContainer));
        Assert.That(_daemon.HasExited, Is.False, _daemon.Output);
    }

    /// <summary>
    /// The error document's msg and details as "msg: details" (decoded: JSON may escape quotes), or all of stdout when
    /// it is none. An unsupported version is named in details, in the reference library's words.
    /// </summary>
    private static string Msg(PluginOutcome outcome)
    {
        try
        {
            using var document = System.Text.Json.JsonDocument.Parse(outcome.Stdout);
            var root = document.RootElement;
            if (!root.TryGetProperty("msg", out var msg))
            {
                return outcome.Stdout;
            }

            return root.TryGetProperty("details", out var details) ? msg.GetString() + ": " + details.GetString() : msg.GetString() ?? "";
        }
        catch (System.Text.Json.JsonException)
        {
            return outcome.Stdout;
        }
    }

    private static byte[] Latin1(string text) => Encoding.Latin1.GetBytes(text);
}
