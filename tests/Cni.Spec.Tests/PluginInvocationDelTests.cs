using static Cni.Spec.Tests.Support.TestEnv;

namespace Cni.Spec.Tests;

/// <summary>DEL must not get stuck: an unusable prevResult is dropped and described, not fatal.</summary>
[TestFixture]
public sealed class PluginInvocationDelTests
{
    private const string BadPrev = "\"prevResult\":{\"ips\":[{\"address\":\"notacidr\"}]}";

    [Test]
    public void Parse_DelWithMalformedPrevResult_SucceedsWithoutIt()
    {
        var request = Parse(E("DEL"), C11Plus(BadPrev));
        Assert.Multiple(() =>
        {
            Assert.That(request.Config.PrevResult, Is.Null);
            Assert.That(request.Config.PrevResultError, Does.StartWith("prevResult.ips[0].address:"));
        });
    }

    [Test]
    public void Parse_DelWithOtherFamilyPrevResult_SucceedsWithoutIt() =>
        Assert.That(Parse(E("DEL"), C11Plus("\"prevResult\":{\"cniVersion\":\"1.1.0\"}", "0.4.0")).Config.PrevResultError, Is.Not.Null);

    [Test]
    public void Parse_DelWithGoodPrevResult_NoError()
    {
        var request = Parse(E("DEL"), C11Plus("\"prevResult\":{\"cniVersion\":\"1.1.0\",\"ips\":[{\"address\":\"10.1.0.5/16\"}]}"));
        Assert.Multiple(() =>
        {
            Assert.That(request.Config.PrevResult, Is.Not.Null);
            Assert.That(request.Config.PrevResultError, Is.Null);
        });
    }

    [TestCase("ADD")]
    [TestCase("CHECK")]
    public void Parse_AddOrCheckWithMalformedPrevResult_Code6(string command) =>
        Assert.That(ParseFails(E(command), C11Plus(BadPrev)).Code, Is.EqualTo(CniErrorCode.DecodingFailure));

    [Test]
    public void Parse_DelWithMalformedRuntimeConfig_StillFails() =>
        Assert.That(ParseFails(E("DEL"), C11Plus("\"runtimeConfig\":{\"portMappings\":[{\"hostPort\":0,\"containerPort\":1}]}")).Code, Is.EqualTo(CniErrorCode.InvalidNetworkConfig));

    [Test]
    public void NetworkConfigParse_WithCommand_AppliesGateAndDelLeniency()
    {
        Assert.Multiple(() =>
        {
            Assert.That(
                Assert.Throws<CniException>(() => NetworkConfig.Parse(Bytes(C11With("0.3.1")), CniCommand.Check))!.Error.Msg,
                Is.EqualTo("config version does not allow CHECK"));
            Assert.That(NetworkConfig.Parse(Bytes(C11Plus(BadPrev)), CniCommand.Del).PrevResultError, Is.Not.Null);
            Assert.That(() => NetworkConfig.Parse(Bytes(C11Plus(BadPrev))), Throws.TypeOf<CniException>());
        });
    }
}
