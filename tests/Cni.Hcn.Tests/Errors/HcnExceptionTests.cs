using Cni.Hcn.Errors;

namespace Cni.Hcn.Tests.Errors;

[TestFixture]
public sealed class HcnExceptionTests
{
    private const string AddressRecord = """{"Success":false,"Error":"An address provided is invalid or reserved. ","ErrorCode":2151350319}""";

    [TestCase(HcnErrorCodes.ManagerStopped, true)]
    [TestCase(HcnErrorCodes.Timeout, true)]
    [TestCase(0x5B4, true)] // ERROR_TIMEOUT as a bare Win32 code (hcsshim keeps the low 16 bits)
    [TestCase(HcnErrorCodes.InvalidSubnet, false)]
    [TestCase(HcnErrorCodes.PortAlreadyExists, false)]
    public void IsTransient_Code_TrueOnlyForHnsStoppingBusyOrTimingOut(int code, bool transient)
    {
        Assert.That(new HcnException("HcnCreateNetwork cbr0", code).IsTransient, Is.EqualTo(transient));
    }

    [Test]
    public void Message_FailedCallWithRecord_NamesOperationCodeHnsErrorCauseAndFix()
    {
        var ex = new HcnException("HcnCreateEndpoint pod-eth0 on network c0a8f2d4", unchecked((int)0x803B002F), AddressRecord);

        Assert.That(ex.Message, Does.StartWith("HcnCreateEndpoint pod-eth0 on network c0a8f2d4 failed: HCN_E_ADDR_INVALID_OR_RESERVED (0x803B002F)"));
        Assert.That(ex.Message, Does.Contain("HNS: An address provided is invalid or reserved."));
        Assert.That(ex.Message, Does.Contain("Likely cause: " + ex.Info.Cause));
        Assert.That(ex.Message, Does.Contain("Fix: " + ex.Info.Fix));
    }

    [Test]
    public void HResult_FailedCall_IsTheHResult()
    {
        var ex = new HcnException("op", unchecked((int)0x803B0013));

        Assert.That(ex.HResult, Is.EqualTo(HcnErrorCodes.PortAlreadyExists));
        Assert.That(ex.HexCode, Is.EqualTo("0x803B0013"));
        Assert.That(ex.IsPortAlreadyExists, Is.True);
        Assert.That(ex.IsAlreadyExists, Is.True);
        Assert.That(ex.ErrorRecord, Is.Null);
    }

    [Test]
    public void HResult_BareWin32Code_IsNormalized()
    {
        var ex = new HcnException("HcnOpenNamespace", 1168);

        Assert.That(ex.HResult, Is.EqualTo(HcnErrorCodes.ElementNotFound));
        Assert.That(ex.IsNotFound, Is.True);
    }

    [Test]
    public void HResult_SuccessWithRecord_TakesTheRecordsCode()
    {
        var ex = new HcnException("HcnModifyNetwork", 0, AddressRecord);

        Assert.That(ex.HResult, Is.EqualTo(HcnErrorCodes.AddrInvalidOrReserved));
        Assert.That(ex.ErrorRecord?.ErrorCode, Is.EqualTo(HcnErrorCodes.AddrInvalidOrReserved));
    }

    [Test]
    public void HResult_SuccessWithRecordWithoutCode_IsEFail()
    {
        var ex = new HcnException("HcnModifyNetwork", 0, "something went wrong");

        Assert.That(ex.HResult, Is.EqualTo(HcnErrorCodes.Fail));
        Assert.That(ex.ErrorRecord?.Text, Is.EqualTo("something went wrong"));
        Assert.That(ex.Message, Does.Contain("HNS: something went wrong."));
    }

    [Test]
    public void Message_UnknownCode_ContainsHexAndGenericAdvice()
    {
        var ex = new HcnException("HcnDeleteNetwork", unchecked((int)0x80AB0001));

        Assert.That(ex.Message, Does.StartWith("HcnDeleteNetwork failed: 0x80AB0001 "));
        Assert.That(ex.Message, Does.Contain("Fix: Look up 0x80AB0001"));
    }

    [Test]
    public void Message_Detail_IsIncluded()
    {
        var ex = new HcnException("HcnCreateEndpoint", HcnErrorCodes.InvalidParameter, null, "HostComputeNamespace is read-only");

        Assert.That(ex.Message, Does.Contain("The parameter is incorrect. HostComputeNamespace is read-only."));
        Assert.That(ex.Detail, Is.EqualTo("HostComputeNamespace is read-only"));
    }

    [Test]
    public void Predicates_NotImplemented_OnlyIsNotImplemented()
    {
        var ex = new HcnException("HcnModifyLoadBalancer", HcnErrorCodes.NotImplemented);

        Assert.That(ex.IsNotImplemented, Is.True);
        Assert.That(ex.IsNotFound, Is.False);
        Assert.That(ex.IsAlreadyExists, Is.False);
    }

    [Test]
    public void Constructor_InnerException_IsKept()
    {
        var inner = new InvalidOperationException("inner");

        var ex = new HcnException("op", HcnErrorCodes.InvalidJson, null, "bad", inner);

        Assert.That(ex.InnerException, Is.SameAs(inner));
        Assert.That(ex.Operation, Is.EqualTo("op"));
    }

    [Test]
    public void StandardConstructors_AreEFail()
    {
        Assert.That(new HcnException().HResult, Is.EqualTo(HcnErrorCodes.Fail));
        Assert.That(new HcnException("m").Message, Does.Contain("m."));
        Assert.That(new HcnException("m", new InvalidOperationException()).InnerException, Is.Not.Null);
    }

    [Test]
    public void Constructor_OwnAdvice_ReplacesTheCatalogueCauseAndFixButKeepsTheCode()
    {
        var ex = new HcnException("HcnCreateEndpoint e1", HcnErrorCodes.Fail, new HcnErrorAdvice("the kernel said no.", "ask it nicely."), "kernel: EPERM");

        Assert.That(ex.HResult, Is.EqualTo(HcnErrorCodes.Fail));
        Assert.That(ex.Info.Name, Is.EqualTo("E_FAIL"));
        Assert.That(ex.Message, Does.Contain("kernel: EPERM. Likely cause: the kernel said no. Fix: ask it nicely."));
        Assert.That(ex.Message, Does.Not.Contain("event log"));
    }

    [TestCase(5, "EIO")]
    [TestCase(30, "EROFS")]
    public void StateWriteFailure_OtherErrno_NamesItWithoutHns(int errno, string name)
    {
        var ex = StateWriteFailure.Create("write", "/var/lib/wincni/kernel", new IOException("boom", errno));

        Assert.That(ex.HResult, Is.EqualTo(HcnErrorCodes.Fail));
        Assert.That(ex.Message, Does.Contain(name + ": ").And.Not.Contain("HNS"));
    }
}
