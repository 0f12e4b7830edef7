using Cni.Spec.Tests.Support;
using static Cni.Spec.Tests.Support.TestEnv;

namespace Cni.Spec.Tests;

/// <summary>
/// The parsing/validation outcome of every vector of the CNI conformance list (Cni.Plugin.Tests' ConformanceVectorTests
/// runs the same vectors end-to-end through the executable). A null code means Parse must succeed.
/// </summary>
[TestFixture]
public sealed class VectorTests
{
    private const string PrevResult11 =
        """ "prevResult":{"cniVersion":"1.1.0","interfaces":[{"name":"eth0","sandbox":"/x"}],"ips":[{"address":"10.1.0.5/16","interface":0}]}""";

    private static IEnumerable<TestCaseData> Vectors()
    {
        static TestCaseData V(string id, Dictionary<string, string?> env, string stdin, int? code, string? msgContains = null) =>
            new TestCaseData(env, stdin, code, msgContains).SetName(id);

        var gcEnv = Only(("CNI_COMMAND", "GC"), ("CNI_PATH", "/opt/cni/bin"));
        var statusEnv = Only(("CNI_COMMAND", "STATUS"), ("CNI_PATH", "/opt/cni/bin"));

        yield return V("T04_NoCommand_Code4", E("ADD").Without("CNI_COMMAND"), C11, 4, "CNI_COMMAND");
        yield return V("T05_UnknownCommand_Code4", E("FOO"), C11, 4, "unknown CNI_COMMAND: FOO");
        yield return V("T06_LowerCaseAdd_Code4", E("add"), C11, 4, "unknown CNI_COMMAND: add");
        yield return V("T07_Add11_Ok", E("ADD"), C11, null);
        yield return V("T08_Add100_Ok", E("ADD"), C11With("1.0.0"), null);
        yield return V("T09_Add040_Ok", E("ADD"), C11With("0.4.0"), null);
        yield return V("T10_Add031_Ok", E("ADD"), C11With("0.3.1"), null);
        yield return V("T11_Add030_Ok", E("ADD"), C11With("0.3.0"), null);
        yield return V("T12_Version200_Code1", E("ADD"), C11With("2.0.0"), 1, "incompatible CNI versions");
        yield return V("T13_Version11NotSemverExact_Code1", E("ADD"), C11With("1.1"), 1);
        yield return V("T14_NoVersion_Code1", E("ADD"), """{"name":"dbnet","type":"x"}""", 1);
        yield return V("T15_MissingName_Code7", E("ADD"), """{"cniVersion":"1.1.0","type":"x"}""", 7, "missing network name");
        yield return V("T16_NameLeadingDash_Code7", E("ADD"), """{"cniVersion":"1.1.0","name":"-bad","type":"x"}""", 7, "network name");
        yield return V("T17_NameWithSlash_Code7", E("ADD"), """{"cniVersion":"1.1.0","name":"db/net","type":"x"}""", 7, "network name");
        yield return V("T18_TruncatedJson_Code6", E("ADD"), """{"cniVersion":"1.1.0","name":"dbnet",""", 6);
        yield return V("T19_EmptyStdin_Code6", E("ADD"), "", 6);
        yield return V("T20_JsonArray_Code6", E("ADD"), "[1,2]", 6);
        yield return V("T21_NoContainerId_Code4", E("ADD").Without("CNI_CONTAINERID"), C11, 4, "CNI_CONTAINERID");
        yield return V("T22_NoNetns_Code4", E("ADD").Without("CNI_NETNS"), C11, 4, "required env variables [CNI_NETNS] missing");
        yield return V("T23_EmptyNetns_Code4", E("ADD").With("CNI_NETNS", ""), C11, 4, "CNI_NETNS");
        yield return V("T24_NoIfName_Code4", E("ADD").Without("CNI_IFNAME"), C11, 4, "CNI_IFNAME");
        yield return V("T25_ContainerIdUnderscore_Code4", E("ADD").With("CNI_CONTAINERID", "_abc"), C11, 4, "invalid characters in containerID");
        yield return V("T26_IfNameTooLong_Code4", E("ADD").With("CNI_IFNAME", "eth0123456789abcd"), C11, 4, "interface name is too long");
        yield return V("T27a_IfNameSpace_Code4", E("ADD").With("CNI_IFNAME", "et h0"), C11, 4, "CNI_IFNAME");
        yield return V("T27b_IfNameSlash_Code4", E("ADD").With("CNI_IFNAME", "a/b"), C11, 4, "CNI_IFNAME");
        yield return V("T27c_IfNameColon_Code4", E("ADD").With("CNI_IFNAME", "a:b"), C11, 4, "CNI_IFNAME");
        yield return V("T28_IfNameDotDot_Code4", E("ADD").With("CNI_IFNAME", ".."), C11, 4, "CNI_IFNAME");
        yield return V("T29_OwnNetnsPath_ParsesAsPath", E("ADD").With("CNI_NETNS", "/proc/self/ns/net"), C11, null);
        yield return V("T30_NonexistentNetns_Parses", E("ADD").With("CNI_NETNS", "/nonexistent"), C11, null);
        yield return V("T31_NoCniPath_Ok", E("ADD").Without("CNI_PATH"), C11, null);
        yield return V("T32_ContainerdArgs_Ok", E("ADD").With("CNI_ARGS", "K8S_POD_UID=u1;IgnoreUnknown=1;K8S_POD_NAME=p;FOO=bar;K8S_POD_NAMESPACE=default;K8S_POD_INFRA_CONTAINER_ID=abc123"), C11, null);
        yield return V("T33_UnknownArgWithoutIgnore_Code4", E("ADD").With("CNI_ARGS", "K8S_POD_NAMESPACE=default;FOO=bar"), C11, 4, "CNI_ARGS");
        yield return V("T34_PairWithTwoEquals_Code4", E("ADD").With("CNI_ARGS", "IgnoreUnknown=1;K8S_POD_NAME=a=b"), C11, 4, "invalid pair");
        yield return V("T35_PrevResult11_Ok", E("ADD"), C11Plus(PrevResult11), null);
        yield return V("T36_PrevResult040_Ok", E("ADD"), C11Plus(""" "prevResult":{"cniVersion":"0.4.0","interfaces":[{"name":"eth0"}],"ips":[{"version":"4","address":"10.1.0.5/16","interface":0}],"dns":{}}""", "0.4.0"), null);
        yield return V("T37_FamilyMismatch_Code6", E("ADD"), C11Plus(PrevResult11, "0.3.1"), 6, "prevResult");
        yield return V("T38_PrevResultNotACidr_Code6", E("ADD"), C11Plus(""" "prevResult":{"ips":[{"address":"notacidr"}]}"""), 6, "prevResult.ips[0].address");
        yield return V("T39_PascalCasePortMappings_Ok", E("ADD"), C11Plus(""" "capabilities":{"portMappings":true},"runtimeConfig":{"portMappings":[{"HostPort":8080,"ContainerPort":80,"Protocol":"tcp","HostIP":""}]}"""), null);
        yield return V("T40_PascalCaseDns_Ok", E("ADD"), C11Plus(""" "runtimeConfig":{"dns":{"Servers":["10.96.0.10"],"Searches":["svc.cluster.local"],"Options":["ndots:5"]}}"""), null);
        yield return V("T41_UnknownKey_Ok", E("ADD"), C11Plus(""" "foo":{"bar":1}"""), null);
        yield return V("T43_HugeStringField_Ok", E("ADD"), C11Plus("\"blob\":\"" + new string('a', 1536 * 1024) + "\""), null);
        // T42, T44, T55 and T63 are about daemon state (duplicate ADD, exhausted pool, deleted interface, daemon
        // down); their requests are valid, so Parse must accept them and leave the outcome to the daemon.
        yield return V("T42_SecondAddSameAttachment_Parses", E("ADD"), C11, null);
        yield return V("T44_AddPoolExhausted_Parses", E("ADD"), C11, null);
        yield return V("T49_DelNeverAdded_Parses", E("DEL"), C11, null);
        yield return V("T55_CheckInterfaceGone_Parses", E("CHECK"), C11Plus(PrevResult11), null);
        yield return V("T63_StatusDaemonDown_Parses", statusEnv, C11, null);
        yield return V("T45_DelWithoutNetns_Ok", E("DEL").Without("CNI_NETNS"), C11, null);
        yield return V("T46_DelEmptyNetns031_Ok", E("DEL").With("CNI_NETNS", ""), C11With("0.3.1"), null);
        yield return V("T47_DelNonexistentNetns_Ok", E("DEL").With("CNI_NETNS", "/nonexistent/ns"), C11, null);
        yield return V("T48_DelWithPrevResult_Ok", E("DEL"), C11Plus(PrevResult11), null);
        yield return V("T50_Del11NoPrevResult_Ok", E("DEL"), C11, null);
        yield return V("T51_DelNoContainerId_Code4", E("DEL").Without("CNI_CONTAINERID"), C11, 4, "CNI_CONTAINERID");
        yield return V("T52_Check_Ok", E("CHECK"), C11Plus(PrevResult11), null);
        yield return V("T53_Check031_Code1", E("CHECK"), C11With("0.3.1"), 1, "config version does not allow CHECK");
        yield return V("T54_CheckNoNetns_Code4", E("CHECK").Without("CNI_NETNS"), C11Plus(PrevResult11), 4, "CNI_NETNS");
        yield return V("T56_CheckWithoutPrevResult_NonZero", E("CHECK"), C11, 7, "prevResult");
        yield return V("T57_GcBothLists_Ok", gcEnv, C11Plus(""" "cni.dev/valid-attachments":[{"containerID":"abc123","ifname":"eth0"}],"cni.dev/attachments":[{"containerID":"abc123","ifname":"eth0"}]"""), null);
        yield return V("T58_GcOnlyAttachments_Ok", gcEnv, C11Plus(""" "cni.dev/attachments":[{"containerID":"abc123","ifname":"eth0"}]"""), null);
        yield return V("T59_GcEmptyList_Ok", gcEnv, C11Plus(""" "cni.dev/valid-attachments":[]"""), null);
        yield return V("T60_Gc100_Code1", gcEnv, C11With("1.0.0"), 1, "config version does not allow GC");
        yield return V("T61_GcNoPath_Code4", Only(("CNI_COMMAND", "GC")), C11, 4, "CNI_PATH");
        yield return V("T62_Status_Ok", statusEnv, C11, null);
        yield return V("T64_Status100_Code1", statusEnv, C11With("1.0.0"), 1, "config version does not allow STATUS");
        yield return V("T65_StatusNoPath_Ok", Only(("CNI_COMMAND", "STATUS")), C11, null);
        yield return V("W01_HcnGuidAndWindowsPath_Ok", E("ADD").With("CNI_NETNS", "31b673d2-2b52-480a-8ca2-ffd04ffb4a68").With("CNI_PATH", @"C:\Program Files\containerd\cni\bin;c:\opt\cni\bin"), C11Plus(""" "capabilities":{"dns":true},"runtimeConfig":{"dns":{"Servers":["10.96.0.10"],"Searches":["default.svc.cluster.local"],"Options":["ndots:5"]}}"""), null);
        yield return V("W02_DelEmptyNetnsWithPrevResult_Ok", E("DEL").With("CNI_NETNS", ""), C11Plus(PrevResult11), null);
        yield return V("W03_UpperCaseBracedGuid_Ok", E("ADD").With("CNI_NETNS", "{31B673D2-2B52-480A-8CA2-FFD04FFB4A68}"), C11, null);
    }

    [TestCaseSource(nameof(Vectors))]
    public void Parse_Vector_HasExpectedOutcome(Dictionary<string, string?> env, string stdin, int? code, string? msgContains)
    {
        if (code is null)
        {
            Assert.That(() => Parse(env, stdin), Throws.Nothing);
            return;
        }

        var e = ParseFails(env, stdin);
        Assert.Multiple(() =>
        {
            Assert.That((int)e.Code, Is.EqualTo(code));
            Assert.That(e.Error.Msg, Is.Not.Empty);
            if (msgContains is not null)
            {
                Assert.That(e.Error.Msg, Does.Contain(msgContains));
            }
        });
    }

    [TestCase("", "1.1.0", TestName = "T01_VersionEmptyStdin_Latest")]
    [TestCase("{\"cniVersion\":\"0.3.1\"}", "0.3.1", TestName = "T02_VersionEchoesInput")]
    [TestCase("garbage", "1.1.0", TestName = "T03_VersionGarbageStdin_Latest")]
    public void VersionInfo_Vector_AnswersWithAllVersions(string stdin, string expectedVersion)
    {
        using var doc = System.Text.Json.JsonDocument.Parse(VersionInfo.ResponseFor(System.Text.Encoding.UTF8.GetBytes(stdin)));
        Assert.Multiple(() =>
        {
            Assert.That(doc.RootElement.GetProperty("cniVersion").GetString(), Is.EqualTo(expectedVersion));
            Assert.That(
                doc.RootElement.GetProperty("supportedVersions").EnumerateArray().Select(v => v.GetString()),
                Is.SupersetOf(new[] { "0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0" }));
        });
    }

    [Test]
    public void Parse_T07_ReturnsAttachmentValues()
    {
        var request = Parse(E("ADD"), C11);
        Assert.Multiple(() =>
        {
            Assert.That(request.Command, Is.EqualTo(CniCommand.Add));
            Assert.That(request.ContainerId, Is.EqualTo("abc123"));
            Assert.That(request.Netns, Is.EqualTo("/var/run/netns/cni-1234"));
            Assert.That(request.IfName, Is.EqualTo("eth0"));
            Assert.That(request.CniPath, Is.EqualTo("/opt/cni/bin"));
            Assert.That(request.CniArgsRaw, Is.Empty);
            Assert.That(request.Config.CniVersion, Is.EqualTo("1.1.0"));
            Assert.That(request.Config.Name, Is.EqualTo("dbnet"));
            Assert.That(request.Config.Type, Is.EqualTo("x"));
            Assert.That(request.Config.PrevResult, Is.Null);
            Assert.That(request.Config.RuntimeConfig, Is.Null);
            Assert.That(request.Config.ValidAttachments, Is.Null);
        });
    }

    [Test]
    public void Parse_T21MissingSeveral_NamesAllMissingVariables()
    {
        var e = ParseFails(E("ADD").Without("CNI_CONTAINERID").Without("CNI_IFNAME").With("CNI_NETNS", ""), C11);
        Assert.That(e.Error.Msg, Is.EqualTo("required env variables [CNI_CONTAINERID,CNI_NETNS,CNI_IFNAME] missing"));
    }

    [Test]
    public void Parse_T12_DetailsNameBothVersions()
    {
        var e = ParseFails(E("ADD"), C11With("2.0.0"));
        Assert.That(e.Error.Details, Does.Contain("\"2.0.0\"").And.Contain("1.1.0"));
    }

    [Test]
    public void Parse_EnvCheckedBeforeStdin_T21WithGarbageStdinIsCode4()
    {
        var e = ParseFails(E("ADD").Without("CNI_CONTAINERID"), "garbage");
        Assert.That(e.Code, Is.EqualTo(CniErrorCode.InvalidEnvironmentVariables));
    }

    [Test]
    public void Parse_StdinCheckedBeforeIdValidity_BadIdAndBadJsonIsCode6()
    {
        var e = ParseFails(E("ADD").With("CNI_CONTAINERID", "_abc"), "{");
        Assert.That(e.Code, Is.EqualTo(CniErrorCode.DecodingFailure));
    }

    [Test]
    public void Parse_VersionCheckedBeforeIdValidity_BadIdAndUnsupportedVersionIsCode1()
    {
        var e = ParseFails(E("ADD").With("CNI_CONTAINERID", "_abc"), C11With("2.0.0"));
        Assert.That(e.Code, Is.EqualTo(CniErrorCode.IncompatibleCniVersion));
    }

    [Test]
    public void Parse_T29OwnNetnsPath_ClassifiedAsPath()
    {
        var request = Parse(E("ADD").With("CNI_NETNS", "/proc/self/ns/net"), C11);
        Assert.That(request.NetnsReference.Kind, Is.EqualTo(NetnsKind.Path));
    }

    [Test]
    public void Parse_W03_NormalisesGuidButKeepsRawNetns()
    {
        var request = Parse(E("ADD").With("CNI_NETNS", "{31B673D2-2B52-480A-8CA2-FFD04FFB4A68}"), C11);
        Assert.Multiple(() =>
        {
            Assert.That(request.Netns, Is.EqualTo("{31B673D2-2B52-480A-8CA2-FFD04FFB4A68}"));
            Assert.That(request.NetnsReference.Kind, Is.EqualTo(NetnsKind.HcnNamespace));
            Assert.That(request.NetnsReference.Value, Is.EqualTo("31b673d2-2b52-480a-8ca2-ffd04ffb4a68"));
        });
    }

    [Test]
    public void Parse_T57_ValidAttachmentsParsed()
    {
        var request = Parse(Only(("CNI_COMMAND", "GC"), ("CNI_PATH", "/opt/cni/bin")), C11Plus(""" "cni.dev/valid-attachments":[{"containerID":"abc123","ifname":"eth0"}],"cni.dev/attachments":[{"containerID":"zzz","ifname":"eth9"}]"""));
        Assert.Multiple(() =>
        {
            Assert.That(request.Command, Is.EqualTo(CniCommand.Gc));
            Assert.That(request.ContainerId, Is.Empty);
            Assert.That(request.Config.ValidAttachments, Is.EqualTo(new[] { new GcAttachment("abc123", "eth0") }));
        });
    }

    [Test]
    public void Parse_T58_OnlyAttachmentsIsTheValidList()
    {
        var request = Parse(Only(("CNI_COMMAND", "GC"), ("CNI_PATH", "/p")), C11Plus(""" "cni.dev/attachments":[{"containerID":"abc123","ifname":"eth0"}]"""));
        Assert.That(request.Config.ValidAttachments, Is.EqualTo(new[] { new GcAttachment("abc123", "eth0") }));
    }

    [Test]
    public void Parse_T59_EmptyListIsEmptyNotNull()
    {
        var request = Parse(Only(("CNI_COMMAND", "GC"), ("CNI_PATH", "/p")), C11Plus(""" "cni.dev/valid-attachments":[]"""));
        Assert.That(request.Config.ValidAttachments, Is.Not.Null.And.Empty);
    }

    [Test]
    public void Parse_GcWithoutEitherList_ValidAttachmentsIsNull()
    {
        var request = Parse(Only(("CNI_COMMAND", "GC"), ("CNI_PATH", "/p")), C11);
        Assert.That(request.Config.ValidAttachments, Is.Null);
    }

    [Test]
    public void Parse_GcAndStatus_IgnoreDummyAttachmentVariables()
    {
        var request = Parse(E("STATUS").With("CNI_CONTAINERID", "_bad").With("CNI_IFNAME", "way-too-long-interface"), C11);
        Assert.Multiple(() =>
        {
            Assert.That(request.ContainerId, Is.Empty);
            Assert.That(request.IfName, Is.Empty);
            Assert.That(request.Netns, Is.Empty);
        });
    }

    [Test]
    public void Parse_VersionCommand_IsRejectedWithCniException()
    {
        var e = ParseFails(E("VERSION"), C11);
        Assert.That(e.Code, Is.EqualTo(CniErrorCode.Internal));
    }

    [Test]
    public void Parse_Failure_ErrorCarriesRequestVersionWhenSupported()
    {
        var e = ParseFails(E("ADD").With("CNI_IFNAME", ".."), C11With("0.4.0"));
        Assert.That(e.Error.CniVersion, Is.EqualTo("0.4.0"));
    }

    [Test]
    public void Parse_EnvFailure_ErrorCarriesVersionNamedByStdin()
    {
        var e = ParseFails(E("ADD").Without("CNI_NETNS"), C11With("0.3.1"));
        Assert.That(e.Error.CniVersion, Is.EqualTo("0.3.1"));
    }

    [Test]
    public void Parse_Utf8Bom_Accepted()
    {
        byte[] stdin = [0xEF, 0xBB, 0xBF, .. System.Text.Encoding.UTF8.GetBytes(C11)];
        Assert.That(PluginInvocation.Parse(E("ADD").Getenv(), stdin).Config.Name, Is.EqualTo("dbnet"));
    }

    [Test]
    public void Parse_Failure_ErrorCarriesLatestVersionWhenUnsupported()
    {
        var e = ParseFails(E("ADD"), C11With("2.0.0"));
        Assert.That(e.Error.CniVersion, Is.EqualTo("1.1.0"));
    }
}
