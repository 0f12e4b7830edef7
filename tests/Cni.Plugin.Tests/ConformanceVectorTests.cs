using System.Text.Json;
using Cni.Spec;

namespace Cni.Plugin.Tests;

/// <summary>
/// Every vector of the CNI conformance list (T01 onwards: the rules of containernetworking/cni SPEC.md and the
/// behaviour of its pkg/skel), run by exec'ing the published <c>wincni</c> with the vector's environment and stdin
/// against a fake daemon that records what it received. Each test name starts with the vector's number.
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.None)]
public sealed class ConformanceVectorTests : PluginTestBase
{
    private static readonly string[] AllVersions = ["0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0"];

    private const string PrevResult11 = """
        "prevResult":{"cniVersion":"1.1.0","interfaces":[{"name":"eth0","sandbox":"/x"}],"ips":[{"address":"10.1.0.5/16","interface":0}]}
        """;

    // ---- VERSION ----

    [Test]
    public async Task T01_VersionWithEmptyStdin_ListsAllSupportedVersions()
    {
        var outcome = await RunAsync(new Dictionary<string, string> { ["CNI_COMMAND"] = "VERSION" }, "");

        var document = AssertResult(outcome);
        var versions = document.GetProperty("supportedVersions").EnumerateArray().Select(v => v.GetString()).ToArray();
        Assert.That(versions, Is.SupersetOf(AllVersions));
        Assert.That(Daemon.Requests, Is.Empty, "VERSION is answered locally");
    }

    [Test]
    public async Task T02_VersionWithDummyEnvironment_EchoesRequestedVersion()
    {
        var env = new Dictionary<string, string>
        {
            ["CNI_COMMAND"] = "VERSION", ["CNI_NETNS"] = "dummy", ["CNI_IFNAME"] = "dummy", ["CNI_PATH"] = "dummy",
        };

        var outcome = await RunAsync(env, """{"cniVersion":"0.3.1"}""");

        Assert.That(AssertResult(outcome).GetProperty("cniVersion").GetString(), Is.EqualTo("0.3.1"));
    }

    [Test]
    public async Task T03_VersionWithGarbageStdin_AnswersWithoutHanging()
    {
        var outcome = await RunAsync(new Dictionary<string, string> { ["CNI_COMMAND"] = "VERSION" }, "garbage", TimeSpan.FromSeconds(10));

        Assert.That(AssertResult(outcome).GetProperty("supportedVersions").GetArrayLength(), Is.GreaterThanOrEqualTo(5));
    }

    // ---- CNI_COMMAND ----

    [Test]
    public async Task T04_NoCommand_Code4()
    {
        var env = Env("ADD");
        env.Remove("CNI_COMMAND");

        var error = AssertError(await RunAsync(env, Config()), 4);

        Assert.That(MessageAndDetails(error), Does.Contain("CNI_COMMAND"));
    }

    [TestCase("FOO", TestName = "T05_UnknownCommand_Code4NamingIt")]
    [TestCase("add", TestName = "T06_LowerCaseCommand_Code4")]
    public async Task UnknownCommand_Code4(string command)
    {
        var error = AssertError(await RunAsync(Env(command), Config()), 4);

        Assert.That(error.GetProperty("msg").GetString(), Does.Contain($"unknown CNI_COMMAND: {command}"));
        Assert.That(Daemon.Requests, Is.Empty);
    }

    // ---- ADD per version ----

    [Test]
    public async Task T07_Add11_ResultWithSandboxInterfaceAndNoIpVersion()
    {
        var outcome = await RunAsync(Env("ADD"), Config());

        var result = AssertResult(outcome);
        Assert.Multiple(() =>
        {
            Assert.That(result.GetProperty("cniVersion").GetString(), Is.EqualTo("1.1.0"));
            var iface = result.GetProperty("interfaces")[0];
            Assert.That(iface.GetProperty("name").GetString(), Is.EqualTo("eth0"));
            Assert.That(iface.GetProperty("sandbox").GetString(), Is.EqualTo(Netns));
            var ip = result.GetProperty("ips")[0];
            Assert.That(ip.TryGetProperty("version", out _), Is.False);
            Assert.That(ip.GetProperty("interface").GetInt32(), Is.InRange(0, result.GetProperty("interfaces").GetArrayLength() - 1));
        });

        var forwarded = Daemon.Requests.Single().Request;
        Assert.Multiple(() =>
        {
            Assert.That(forwarded.Command, Is.EqualTo("ADD"));
            Assert.That(forwarded.ContainerId, Is.EqualTo(ContainerId));
            Assert.That(forwarded.Netns, Is.EqualTo(Netns));
            Assert.That(forwarded.IfName, Is.EqualTo("eth0"));
            Assert.That(forwarded.Path, Is.EqualTo("/opt/cni/bin"));
            Assert.That(Daemon.Requests.Single().ConfigText, Is.EqualTo(Config()), "stdin is forwarded verbatim");
        });
    }

    [Test]
    public async Task T08_Add100_ResultIn100WithoutIpVersion()
    {
        var result = AssertResult(await RunAsync(Env("ADD"), Config("1.0.0")));

        Assert.That(result.GetProperty("cniVersion").GetString(), Is.EqualTo("1.0.0"));
        Assert.That(result.GetProperty("ips")[0].TryGetProperty("version", out _), Is.False);
    }

    [TestCase("0.4.0", TestName = "T09_Add040_IpVersionAndNoInterfaceMtu")]
    [TestCase("0.3.1", TestName = "T10_Add031_IpVersionAndNoInterfaceMtu")]
    [TestCase("0.3.0", TestName = "T11_Add030_IpVersionAndNoInterfaceMtu")]
    public async Task AddLegacy_IpVersionAndNoInterfaceMtu(string version)
    {
        var result = AssertResult(await RunAsync(Env("ADD"), Config(version)));

        Assert.Multiple(() =>
        {
            Assert.That(result.GetProperty("cniVersion").GetString(), Is.EqualTo(version));
            Assert.That(result.GetProperty("ips")[0].GetProperty("version").GetString(), Is.EqualTo("4"));
            Assert.That(result.GetProperty("interfaces")[0].TryGetProperty("mtu", out _), Is.False);
        });
    }

    [TestCase("2.0.0", TestName = "T12_AddUnknownVersion_Code1WithoutSideEffects")]
    [TestCase("1.1", TestName = "T13_AddShortVersionString_Code1")]
    public async Task AddUnsupportedVersion_Code1(string version)
    {
        AssertError(await RunAsync(Env("ADD"), Config(version)), 1);

        Assert.That(Daemon.Requests, Is.Empty, "no side effects");
    }

    [Test]
    public async Task T14_AddWithoutVersion_Code1()
    {
        var stdin = $$"""{"name":"dbnet","type":"x","socket":{{JsonString(Daemon.SocketPath)}}}""";

        AssertError(await RunAsync(Env("ADD"), stdin), 1);
        Assert.That(Daemon.Requests, Is.Empty);
    }

    // ---- config validation ----

    [Test]
    public async Task T15_AddWithoutName_Code7()
    {
        var stdin = $$"""{"cniVersion":"1.1.0","type":"x","socket":{{JsonString(Daemon.SocketPath)}}}""";

        var error = AssertError(await RunAsync(Env("ADD"), stdin), 7);

        Assert.That(MessageAndDetails(error), Does.Contain("name"));
    }

    [TestCase("-bad", TestName = "T16_AddNameStartingWithDash_Code7")]
    [TestCase("db/net", TestName = "T17_AddNameWithSlash_Code7")]
    public async Task AddInvalidName_Code7(string name)
    {
        var stdin = $$"""{"cniVersion":"1.1.0","name":{{JsonString(name)}},"type":"x","socket":{{JsonString(Daemon.SocketPath)}}}""";

        AssertError(await RunAsync(Env("ADD"), stdin), 7);
        Assert.That(Daemon.Requests, Is.Empty);
    }

    [TestCase("""{"cniVersion":"1.1.0","name":"dbnet",""", TestName = "T18_AddTruncatedJson_Code6")]
    [TestCase("", TestName = "T19_AddEmptyStdin_Code6")]
    [TestCase("[1,2]", TestName = "T20_AddJsonArray_Code6")]
    public async Task AddUndecodableStdin_Code6(string stdin)
    {
        AssertError(await RunAsync(Env("ADD"), stdin), 6);
        Assert.That(Daemon.Requests, Is.Empty);
    }

    // ---- environment ----

    [TestCase("CNI_CONTAINERID", TestName = "T21_AddWithoutContainerId_Code4NamingIt")]
    [TestCase("CNI_NETNS", TestName = "T22_AddWithoutNetns_Code4NamingIt")]
    [TestCase("CNI_IFNAME", TestName = "T24_AddWithoutIfName_Code4NamingIt")]
    public async Task AddMissingVariable_Code4NamingIt(string variable)
    {
        var env = Env("ADD");
        env.Remove(variable);

        var error = AssertError(await RunAsync(env, Config()), 4);

        Assert.That(MessageAndDetails(error), Does.Contain(variable));
        Assert.That(Daemon.Requests, Is.Empty);
    }

    [Test]
    public async Task T23_AddWithEmptyNetns_Code4()
    {
        var env = Env("ADD");
        env["CNI_NETNS"] = "";

        var error = AssertError(await RunAsync(env, Config()), 4);

        Assert.That(MessageAndDetails(error), Does.Contain("CNI_NETNS"));
    }

    [Test]
    public async Task T25_AddContainerIdWithInvalidCharacter_Code4()
    {
        var env = Env("ADD");
        env["CNI_CONTAINERID"] = "_abc";

        var error = AssertError(await RunAsync(env, Config()), 4);

        Assert.That(MessageAndDetails(error), Does.Contain("invalid characters in containerID"));
    }

    [Test]
    public async Task T26_AddIfNameOf17Characters_Code4TooLong()
    {
        var env = Env("ADD");
        env["CNI_IFNAME"] = "eth0123456789abcd";

        var error = AssertError(await RunAsync(env, Config()), 4);

        Assert.That(MessageAndDetails(error), Does.Contain("too long"));
    }

    [TestCase("et h0", TestName = "T27_AddIfNameWithSpace_Code4")]
    [TestCase("a/b", TestName = "T27_AddIfNameWithSlash_Code4")]
    [TestCase("a:b", TestName = "T27_AddIfNameWithColon_Code4")]
    [TestCase("..", TestName = "T28_AddIfNameDotDot_Code4")]
    public async Task AddInvalidIfName_Code4(string ifName)
    {
        var env = Env("ADD");
        env["CNI_IFNAME"] = ifName;

        AssertError(await RunAsync(env, Config()), 4);
        Assert.That(Daemon.Requests, Is.Empty);
    }

    [Test]
    [Platform("Linux")]
    public async Task T29_AddIntoPluginsOwnNamespace_Code8BeforeAnyChange()
    {
        var env = Env("ADD");
        env["CNI_NETNS"] = "/proc/self/ns/net";

        var outcome = await RunAsync(env, Config());

        AssertError(outcome, 8);
        Assert.That(Daemon.Requests, Is.Empty, "refused before the daemon changed anything");
    }

    [Test]
    [Platform("Linux")]
    public async Task T30_AddWithNonexistentNetns_FailsWithoutLeftoversAndDelSucceeds()
    {
        var env = Env("ADD");
        env["CNI_NETNS"] = "/nonexistent";

        AssertError(await RunAsync(env, Config()), 3);
        Assert.That(Daemon.Requests, Is.Empty);

        // Negative twin: the runtime's DEL after a failed ADD succeeds.
        env["CNI_COMMAND"] = "DEL";
        AssertEmptySuccess(await RunAsync(env, Config()));
    }

    [Test]
    public async Task T31_AddWithoutCniPath_Succeeds()
    {
        var env = Env("ADD");
        env.Remove("CNI_PATH");

        AssertResult(await RunAsync(env, Config()));
    }

    // ---- CNI_ARGS ----

    [Test]
    public async Task T32_AddWithContainerdArgsInAnyOrder_SucceedsAndForwardsThem()
    {
        const string args = "K8S_POD_UID=0f5a;IgnoreUnknown=1;K8S_POD_INFRA_CONTAINER_ID=abc123;K8S_POD_NAME=web-0;FOO=bar;K8S_POD_NAMESPACE=default";
        var env = Env("ADD");
        env["CNI_ARGS"] = args;

        AssertResult(await RunAsync(env, Config()));

        Assert.That(Daemon.Requests.Single().Request.Args, Is.EqualTo(args));
    }

    [TestCase("K8S_POD_NAMESPACE=default;FOO=bar", TestName = "T33_AddWithUnknownArgWithoutIgnoreUnknown_Code4NamingCniArgs")]
    [TestCase("IgnoreUnknown=1;K8S_POD_NAME=a=b", TestName = "T34_AddWithInvalidArgPair_Code4NamingCniArgs")]
    public async Task AddWithRejectedArgs_Code4NamingCniArgs(string args)
    {
        var env = Env("ADD");
        env["CNI_ARGS"] = args;

        var error = AssertError(await RunAsync(env, Config()), 4);

        Assert.That(MessageAndDetails(error), Does.Contain("CNI_ARGS"));
        Assert.That(Daemon.Requests, Is.Empty);
    }

    // ---- prevResult ----

    [Test]
    public async Task T35_AddWithPrevResult_ForwardsItAndReturnsResultInRequestVersion()
    {
        var stdin = Config(extra: PrevResult11);

        var result = AssertResult(await RunAsync(Env("ADD"), stdin));

        Assert.That(result.GetProperty("cniVersion").GetString(), Is.EqualTo("1.1.0"));
        var forwarded = Daemon.Requests.Single().Config.GetProperty("prevResult");
        Assert.That(forwarded.GetProperty("ips")[0].GetProperty("address").GetString(), Is.EqualTo("10.1.0.5/16"));
    }

    [Test]
    public async Task T36_Add040WithVersionedPrevResult_ResultKeepsIpVersion()
    {
        var stdin = Config("0.4.0", """
            "prevResult":{"cniVersion":"0.4.0","interfaces":[{"name":"eth0","sandbox":"/x"}],"ips":[{"version":"4","address":"10.1.0.5/16","interface":0}]}
            """);

        var result = AssertResult(await RunAsync(Env("ADD"), stdin));

        Assert.That(result.GetProperty("cniVersion").GetString(), Is.EqualTo("0.4.0"));
        Assert.That(result.GetProperty("ips")[0].GetProperty("version").GetString(), Is.EqualTo("4"));
    }

    [Test]
    public async Task T37_Add031WithPrevResult110_Code6()
    {
        AssertError(await RunAsync(Env("ADD"), Config("0.3.1", PrevResult11)), 6);
        Assert.That(Daemon.Requests, Is.Empty);
    }

    [Test]
    public async Task T38_AddWithPrevResultAddressNotCidr_Code6()
    {
        var error = AssertError(await RunAsync(Env("ADD"), Config(extra: """ "prevResult":{"ips":[{"address":"notacidr"}]} """)), 6);

        Assert.That(MessageAndDetails(error), Does.Contain("address"));
    }

    // ---- capabilities ----

    [Test]
    public async Task T39_AddWithPascalCasePortMappings_ForwardedAndAccepted()
    {
        var stdin = Config(extra: """
            "capabilities":{"portMappings":true},"runtimeConfig":{"portMappings":[{"HostPort":8080,"ContainerPort":80,"Protocol":"tcp","HostIP":""}]}
            """);

        AssertResult(await RunAsync(Env("ADD"), stdin));

        var mapping = Daemon.Requests.Single().Config.GetProperty("runtimeConfig").GetProperty("portMappings")[0];
        Assert.That(mapping.GetProperty("HostPort").GetInt32(), Is.EqualTo(8080));
    }

    [Test]
    public async Task T40_AddWithPascalCaseDns_ForwardedAndAccepted()
    {
        var stdin = Config(extra: """
            "runtimeConfig":{"dns":{"Servers":["10.96.0.10"],"Searches":["svc.cluster.local"],"Options":["ndots:5"]}}
            """);

        AssertResult(await RunAsync(Env("ADD"), stdin));

        Assert.That(Daemon.Requests.Single().ConfigText, Does.Contain("ndots:5"));
    }

    [Test]
    public async Task T41_AddWithUnknownKey_IgnoredAndForwarded()
    {
        AssertResult(await RunAsync(Env("ADD"), Config(extra: """ "foo":{"bar":1} """)));

        Assert.That(Daemon.Requests.Single().Config.GetProperty("foo").GetProperty("bar").GetInt32(), Is.EqualTo(1));
    }

    [Test]
    public async Task T42_AddTwiceWithoutDel_SecondReturnsTheSameAttachment()
    {
        // wincni's contract (docs/architecture.md, 'Rules that hold everywhere'): a repeated ADD for the same
        // (container ID, ifname) is idempotent and returns the same result; the first attachment is untouched. The
        // daemon decides; the plugin forwards both.
        var first = await RunAsync(Env("ADD"), Config());
        var second = await RunAsync(Env("ADD"), Config());

        Assert.That(second.Stdout, Is.EqualTo(first.Stdout));
        Assert.That(Daemon.Requests, Has.Count.EqualTo(2));
        Assert.That(Node.Attachments, Has.Count.EqualTo(1));
    }

    [Test]
    public async Task T43_AddWithHugeStringField_ReadsToEofAndForwardsIntact()
    {
        var huge = new string('x', 1536 * 1024);

        var outcome = await RunAsync(Env("ADD"), Config(extra: $"\"blob\":\"{huge}\""));

        AssertResult(outcome);
        Assert.That(Daemon.Requests.Single().Config.GetProperty("blob").GetString(), Has.Length.EqualTo(huge.Length));
    }

    [Test]
    public async Task T44_AddWhenPoolExhausted_Code11FromDaemonAndDelSucceeds()
    {
        Daemon.Handler = request => request.Command == "ADD"
            ? new Fakes.FakeDaemonResponse(503, """{"cniVersion":"1.1.0","code":11,"msg":"no free address in 10.1.0.0/16","details":"253 of 253 leased"}""")
            : Node.Handle(request);

        var error = AssertError(await RunAsync(Env("ADD"), Config()), 11);
        Assert.That(error.GetProperty("details").GetString(), Is.EqualTo("253 of 253 leased"));

        AssertEmptySuccess(await RunAsync(Env("DEL"), Config()));
    }

    // ---- DEL ----

    [Test]
    public async Task T45_DelWithoutNetns_Succeeds()
    {
        var env = Env("DEL");
        env.Remove("CNI_NETNS");

        AssertEmptySuccess(await RunAsync(env, Config()));
        Assert.That(Daemon.Requests.Single().Request.Netns, Is.Empty);
    }

    [Test]
    public async Task T46_DelWithEmptyNetns031_Succeeds()
    {
        var env = Env("DEL");
        env["CNI_NETNS"] = "";

        AssertEmptySuccess(await RunAsync(env, Config("0.3.1")));
    }

    [Test]
    public async Task T47_DelWithNonexistentNetns_SucceedsAndReachesDaemon()
    {
        await RunAsync(Env("ADD"), Config());
        var env = Env("DEL");
        env["CNI_NETNS"] = "/nonexistent/ns";

        AssertEmptySuccess(await RunAsync(env, Config()));
        Assert.That(Node.Attachments, Is.Empty, "the daemon got the DEL and released the attachment");
    }

    [Test]
    public async Task T48_DelTwiceWithPrevResult_SucceedsBothTimes()
    {
        await RunAsync(Env("ADD"), Config());

        AssertEmptySuccess(await RunAsync(Env("DEL"), Config(extra: PrevResult11)));
        AssertEmptySuccess(await RunAsync(Env("DEL"), Config(extra: PrevResult11)));
    }

    [Test]
    public async Task T49_DelNeverAdded_Succeeds()
    {
        AssertEmptySuccess(await RunAsync(Env("DEL"), Config()));
    }

    [Test]
    public async Task T50_Del110WithoutPrevResult_Succeeds()
    {
        await RunAsync(Env("ADD"), Config());

        AssertEmptySuccess(await RunAsync(Env("DEL"), Config()));
    }

    [Test]
    public async Task T51_DelWithoutContainerId_Code4()
    {
        var env = Env("DEL");
        env.Remove("CNI_CONTAINERID");

        var error = AssertError(await RunAsync(env, Config()), 4);
        Assert.That(MessageAndDetails(error), Does.Contain("CNI_CONTAINERID"));
    }

    // ---- CHECK ----

    [Test]
    public async Task T52_CheckAfterAdd_SucceedsWithEmptyStdout()
    {
        var add = await RunAsync(Env("ADD"), Config());

        AssertEmptySuccess(await RunAsync(Env("CHECK"), Config(extra: $"\"prevResult\":{add.Stdout}")));
        Assert.That(Daemon.Requests.Last().Request.Command, Is.EqualTo("CHECK"));
    }

    [Test]
    public async Task T53_Check031_Code1()
    {
        var error = AssertError(await RunAsync(Env("CHECK"), Config("0.3.1")), 1);

        Assert.That(error.GetProperty("msg").GetString(), Does.Contain("config version does not allow CHECK"));
    }

    [Test]
    public async Task T54_CheckWithoutNetns_Code4()
    {
        var env = Env("CHECK");
        env.Remove("CNI_NETNS");

        AssertError(await RunAsync(env, Config(extra: PrevResult11)), 4);
    }

    [Test]
    public async Task T55_CheckAfterOutOfBandDeletion_Fails()
    {
        var add = await RunAsync(Env("ADD"), Config());
        Node.Forget(ContainerId, "eth0");

        var outcome = await RunAsync(Env("CHECK"), Config(extra: $"\"prevResult\":{add.Stdout}"));

        AssertError(outcome, 3);
    }

    [Test]
    public async Task T56_CheckWithoutPrevResult_Fails()
    {
        var outcome = await RunAsync(Env("CHECK"), Config());

        Assert.That(outcome.ExitCode, Is.Not.Zero);
        using var document = JsonDocument.Parse(outcome.Stdout);
        Assert.That(MessageAndDetails(document.RootElement), Does.Contain("prevResult"));
    }

    // ---- GC ----

    private static Dictionary<string, string> GcEnv() => new() { ["CNI_COMMAND"] = "GC", ["CNI_PATH"] = "/opt/cni/bin" };

    private async Task AddAsync(string containerId)
    {
        var env = Env("ADD");
        env["CNI_CONTAINERID"] = containerId;
        AssertResult(await RunAsync(env, Config()));
    }

    [Test]
    public async Task T57_GcWithValidList_KeepsListedAndFreesTheRest()
    {
        await AddAsync(ContainerId);
        await AddAsync("stale1");
        const string list = """[{"containerID":"abc123","ifname":"eth0"}]""";

        AssertEmptySuccess(await RunAsync(GcEnv(), Config(extra: $"\"cni.dev/valid-attachments\":{list},\"cni.dev/attachments\":{list}")));

        Assert.That(Node.Attachments, Is.EqualTo(new[] { (ContainerId, "eth0") }));
    }

    [Test]
    public async Task T58_GcWithOnlyLegacyAttachmentsKey_TreatedAsValidList()
    {
        await AddAsync(ContainerId);
        await AddAsync("stale1");

        AssertEmptySuccess(await RunAsync(GcEnv(), Config(extra: """ "cni.dev/attachments":[{"containerID":"abc123","ifname":"eth0"}] """)));

        Assert.That(Node.Attachments, Is.EqualTo(new[] { (ContainerId, "eth0") }));
    }

    [Test]
    public async Task T59_GcWithEmptyValidList_FreesEverything()
    {
        await AddAsync(ContainerId);

        AssertEmptySuccess(await RunAsync(GcEnv(), Config(extra: """ "cni.dev/valid-attachments":[] """)));

        Assert.That(Node.Attachments, Is.Empty);
    }

    [Test]
    public async Task T60_Gc100_Code1()
    {
        AssertError(await RunAsync(GcEnv(), Config("1.0.0", """ "cni.dev/valid-attachments":[] """)), 1);
        Assert.That(Daemon.Requests, Is.Empty);
    }

    [Test]
    public async Task T61_GcWithoutCniPath_Code4()
    {
        var error = AssertError(await RunAsync(new Dictionary<string, string> { ["CNI_COMMAND"] = "GC" }, Config(extra: """ "cni.dev/valid-attachments":[] """)), 4);

        Assert.That(MessageAndDetails(error), Does.Contain("CNI_PATH"));
    }

    // ---- STATUS ----

    [Test]
    public async Task T62_StatusWhenReady_SucceedsWithEmptyStdout()
    {
        AssertEmptySuccess(await RunAsync(new Dictionary<string, string> { ["CNI_COMMAND"] = "STATUS", ["CNI_PATH"] = "/opt/cni/bin" }, Config()));
        Assert.That(Daemon.Requests.Single().Request.Command, Is.EqualTo("STATUS"));
    }

    [Test]
    public async Task T63_StatusWithDaemonDown_Code50()
    {
        // A short timeout: the plugin waits that long for a daemon that may be restarting.
        var stdin = """{"cniVersion":"1.1.0","name":"dbnet","type":"x","socket":"/nonexistent/wincnid.sock","timeoutSeconds":0.5}""";

        var error = AssertError(await RunAsync(new Dictionary<string, string> { ["CNI_COMMAND"] = "STATUS", ["CNI_PATH"] = "/opt/cni/bin" }, stdin), 50);

        Assert.That(error.GetProperty("details").GetString(), Does.Contain("/nonexistent/wincnid.sock"));
    }

    [Test]
    public async Task T64_Status100_Code1()
    {
        AssertError(await RunAsync(new Dictionary<string, string> { ["CNI_COMMAND"] = "STATUS", ["CNI_PATH"] = "/opt/cni/bin" }, Config("1.0.0")), 1);
    }

    [Test]
    public async Task T65_StatusWithoutCniPath_Succeeds()
    {
        AssertEmptySuccess(await RunAsync(new Dictionary<string, string> { ["CNI_COMMAND"] = "STATUS" }, Config()));
    }

    // ---- Windows forms (parsed and forwarded here; attached to HCN namespaces by the daemon on Windows) ----

    [Test]
    public async Task W01_AddWithHcnNamespaceGuidAndWindowsCniPath_ForwardsNamespaceAndDns()
    {
        var env = Env("ADD");
        env["CNI_NETNS"] = "31b673d2-2b52-480a-8ca2-ffd04ffb4a68";
        env["CNI_PATH"] = @"C:\Program Files\containerd\cni\bin;c:\opt\cni\bin";
        var stdin = Config(extra: """
            "capabilities":{"dns":true},"runtimeConfig":{"dns":{"Servers":["10.96.0.10"],"Searches":["default.svc.cluster.local"],"Options":["ndots:5"]}}
            """);

        var result = AssertResult(await RunAsync(env, stdin));

        var forwarded = Daemon.Requests.Single().Request;
        Assert.Multiple(() =>
        {
            Assert.That(forwarded.Netns, Is.EqualTo("31b673d2-2b52-480a-8ca2-ffd04ffb4a68"));
            Assert.That(forwarded.Path, Is.EqualTo(@"C:\Program Files\containerd\cni\bin;c:\opt\cni\bin"));
            Assert.That(result.GetProperty("interfaces")[0].GetProperty("name").GetString(), Is.EqualTo("eth0"));
        });
    }

    [Test]
    public async Task W02_DelWithEmptyNetnsAndPrevResult_Succeeds()
    {
        var env = Env("DEL");
        env["CNI_NETNS"] = "";

        AssertEmptySuccess(await RunAsync(env, Config(extra: PrevResult11)));
    }

    [TestCase("31B673D2-2B52-480A-8CA2-FFD04FFB4A68", TestName = "W03_AddWithUpperCaseGuid_ForwardedVerbatimAndClassifiedAsHcnNamespace")]
    [TestCase("{31b673d2-2b52-480a-8ca2-ffd04ffb4a68}", TestName = "W03_AddWithBracedGuid_ForwardedVerbatimAndClassifiedAsHcnNamespace")]
    public async Task AddWithGuidForms_ForwardedVerbatimAndClassified(string netns)
    {
        var env = Env("ADD");
        env["CNI_NETNS"] = netns;

        AssertResult(await RunAsync(env, Config()));

        // The daemon gets CNI_NETNS as the runtime sent it (a result's sandbox echoes it) and classifies it itself.
        var forwarded = Daemon.Requests.Single().Request.Netns;
        Assert.That(forwarded, Is.EqualTo(netns));
        var reference = NetnsReference.Classify(forwarded);
        Assert.That(reference.Kind, Is.EqualTo(NetnsKind.HcnNamespace));
        Assert.That(reference.Value, Is.EqualTo("31b673d2-2b52-480a-8ca2-ffd04ffb4a68"));
    }
}
