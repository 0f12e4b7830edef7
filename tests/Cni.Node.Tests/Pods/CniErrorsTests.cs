using System.Net;
using Cni.Hcn.Errors;
using Cni.Node.Ipam;
using Cni.Node.Pods;
using Cni.Node.Policies;
using Cni.Spec;

namespace Cni.Node.Tests.Pods;

public sealed class CniErrorsTests
{
    private static IEnumerable<TestCaseData> Mappings()
    {
        yield return new TestCaseData(new IpamExhaustedException(IPNetwork.Parse("10.244.1.0/24"), 250, 250, 0), CniErrorCode.TryAgainLater).SetName("From_IpamExhausted_11");
        yield return new TestCaseData(new IpamJournalException("/var/lib/wincni/ipam/journal", "disk full"), CniErrorCode.TryAgainLater).SetName("From_JournalFailure_11");
        yield return new TestCaseData(new HcnException("HcnCreateEndpoint x", HcnErrorCodes.ManagerStopped), CniErrorCode.TryAgainLater).SetName("From_HnsStopping_11");
        yield return new TestCaseData(new HcnException("HcnCreateEndpoint x", HcnErrorCodes.InvalidIp), CniErrorCode.Internal).SetName("From_HcnPermanent_999");
        yield return new TestCaseData(new EndpointPolicyException("runtimeConfig.portMappings[0].protocol", "bad"), CniErrorCode.InvalidNetworkConfig).SetName("From_PolicyInput_7");
        yield return new TestCaseData(new ArgumentException("netns: too long", "netns"), CniErrorCode.InvalidEnvironmentVariables).SetName("From_BadNetns_4");
        yield return new TestCaseData(new OperationCanceledException(), CniErrorCode.TryAgainLater).SetName("From_Cancelled_11");
        yield return new TestCaseData(new InvalidOperationException("boom"), CniErrorCode.Internal).SetName("From_Bug_999");
    }

    [TestCaseSource(nameof(Mappings))]
    public void From_Exception_SpecCode(Exception exception, CniErrorCode code)
    {
        var error = CniErrors.From(exception, "1.0.0");

        Assert.That(error.Code, Is.EqualTo(code));
        Assert.That(error.CniVersion, Is.EqualTo("1.0.0"));
        Assert.That(error.Msg, Is.Not.Empty);
    }

    [Test]
    public void From_HcnException_MessageHasCauseAndFixDetailsHaveHresultAndRecord()
    {
        var ex = new HcnException("HcnCreateEndpoint pod on network n", HcnErrorCodes.AddrInvalidOrReserved, """{"Success":false,"Error":"An address provided is invalid or reserved. ","ErrorCode":2151350319}""");

        var error = CniErrors.From(ex, "1.1.0");

        Assert.That(error.Msg, Does.Contain("Likely cause:").And.Contain("Fix:"));
        Assert.That(error.Details, Does.StartWith("hresult=0x803B002F name=HCN_E_ADDR_INVALID_OR_RESERVED operation=HcnCreateEndpoint pod on network n errorRecord="));
    }

    [Test]
    public void From_ArgumentNamingNetns_MessageNamesTheVariable()
    {
        var error = CniErrors.From(new ArgumentException("netns: is 5000 characters long; at most 4096 are allowed.", "netns"), "1.1.0");

        Assert.That(error.Msg, Is.EqualTo("CNI_NETNS: is 5000 characters long; at most 4096 are allowed."));
    }
}
