using System.Globalization;
using Cni.Hcn.Errors;

namespace Cni.Hcn.Tests.Errors;

/// <summary>The HRESULT → message table: every HCN code of the reference and the common Win32 ones.</summary>
[TestFixture]
public sealed class HcnErrorCatalogTests
{
    // Written from MS-docs HCNHResult.md (MicrosoftDocs/Virtualization-Documentation), not from the table under test.
    private static readonly (uint Code, string Name)[] ReferenceCodes =
    [
        (0x803B0001, "HCN_E_NETWORK_NOT_FOUND"), (0x803B0002, "HCN_E_ENDPOINT_NOT_FOUND"),
        (0x803B0003, "HCN_E_LAYER_NOT_FOUND"), (0x803B0004, "HCN_E_SWITCH_NOT_FOUND"),
        (0x803B0005, "HCN_E_SUBNET_NOT_FOUND"), (0x803B0006, "HCN_E_ADAPTER_NOT_FOUND"),
        (0x803B0007, "HCN_E_PORT_NOT_FOUND"), (0x803B0008, "HCN_E_POLICY_NOT_FOUND"),
        (0x803B0009, "HCN_E_VFP_PORTSETTING_NOT_FOUND"), (0x803B000A, "HCN_E_INVALID_NETWORK"),
        (0x803B000B, "HCN_E_INVALID_NETWORK_TYPE"), (0x803B000C, "HCN_E_INVALID_ENDPOINT"),
        (0x803B000D, "HCN_E_INVALID_POLICY"), (0x803B000E, "HCN_E_INVALID_POLICY_TYPE"),
        (0x803B000F, "HCN_E_INVALID_REMOTE_ENDPOINT_OPERATION"), (0x803B0010, "HCN_E_NETWORK_ALREADY_EXISTS"),
        (0x803B0011, "HCN_E_LAYER_ALREADY_EXISTS"), (0x803B0012, "HCN_E_POLICY_ALREADY_EXISTS"),
        (0x803B0013, "HCN_E_PORT_ALREADY_EXISTS"), (0x803B0014, "HCN_E_ENDPOINT_ALREADY_ATTACHED"),
        (0x803B0015, "HCN_E_REQUEST_UNSUPPORTED"), (0x803B0016, "HCN_E_MAPPING_NOT_SUPPORTED"),
        (0x803B0017, "HCN_E_DEGRADED_OPERATION"), (0x803B0018, "HCN_E_SHARED_SWITCH_MODIFICATION"),
        (0x803B0019, "HCN_E_GUID_CONVERSION_FAILURE"), (0x803B001A, "HCN_E_REGKEY_FAILURE"),
        (0x803B001B, "HCN_E_INVALID_JSON"), (0x803B001C, "HCN_E_INVALID_JSON_REFERENCE"),
        (0x803B001D, "HCN_E_ENDPOINT_SHARING_DISABLED"), (0x803B001E, "HCN_E_INVALID_IP"),
        (0x803B001F, "HCN_E_SWITCH_EXTENSION_NOT_FOUND"), (0x803B0020, "HCN_E_MANAGER_STOPPED"),
        (0x803B0021, "GCN_E_MODULE_NOT_FOUND"), (0x803B0022, "GCN_E_NO_REQUEST_HANDLERS"),
        (0x803B0023, "GCN_E_REQUEST_UNSUPPORTED"), (0x803B0024, "GCN_E_RUNTIMEKEYS_FAILED"),
        (0x803B0025, "GCN_E_NETADAPTER_TIMEOUT"), (0x803B0026, "GCN_E_NETADAPTER_NOT_FOUND"),
        (0x803B0027, "GCN_E_NETCOMPARTMENT_NOT_FOUND"), (0x803B0028, "GCN_E_NETINTERFACE_NOT_FOUND"),
        (0x803B0029, "GCN_E_DEFAULTNAMESPACE_EXISTS"), (0x803B002A, "HCN_E_ICS_DISABLED"),
        (0x803B002B, "HCN_E_ENDPOINT_NAMESPACE_ALREADY_EXISTS"), (0x803B002C, "HCN_E_ENTITY_HAS_REFERENCES"),
        (0x803B002D, "HCN_E_INVALID_INTERNAL_PORT"), (0x803B002E, "HCN_E_NAMESPACE_ATTACH_FAILED"),
        (0x803B002F, "HCN_E_ADDR_INVALID_OR_RESERVED"), (0x803B0030, "HCN_E_INVALID_PREFIX"),
        (0x803B0031, "HCN_E_OBJECT_USED_AFTER_UNLOAD"), (0x803B0032, "HCN_E_INVALID_SUBNET"),
        (0x803B0033, "HCN_E_INVALID_IP_SUBNET"), (0x803B0034, "HCN_E_ENDPOINT_NOT_ATTACHED"),
        (0x803B0035, "HCN_E_ENDPOINT_NOT_LOCAL"), (0x803B0036, "HCN_INTERFACEPARAMETERS_ALREADY_APPLIED"),
        (0x803B0037, "HCN_E_VFP_NOT_ALLOWED"),
    ];

    // The Win32/COM codes HNS is seen to return (hcsshim hcn/hcnerrors.go classifies them), as HRESULTs or bare Win32
    // codes.
    private static readonly (int Code, string Name)[] Win32Codes =
    [
        (unchecked((int)0x80070490), "ERROR_NOT_FOUND"),
        (1168, "ERROR_NOT_FOUND"),
        (0x1392, "ERROR_OBJECT_ALREADY_EXISTS"),
        (0xB7, "ERROR_ALREADY_EXISTS"),
        (unchecked((int)0x800700B7), "ERROR_ALREADY_EXISTS"),
        (unchecked((int)0x80070057), "E_INVALIDARG"),
        (unchecked((int)0x80004001), "E_NOTIMPL"),
        (unchecked((int)0x80004005), "E_FAIL"),
        (unchecked((int)0x80070005), "E_ACCESSDENIED"),
        (unchecked((int)0x8007007F), "ERROR_PROC_NOT_FOUND"),
        (unchecked((int)0x8007007E), "ERROR_MOD_NOT_FOUND"),
        (unchecked((int)0x800706BA), "RPC_S_SERVER_UNAVAILABLE"),
    ];

    public static IEnumerable<TestCaseData> HcnCodes() =>
        ReferenceCodes.Select(c => new TestCaseData(unchecked((int)c.Code), c.Name).SetArgDisplayNames(c.Name));

    public static IEnumerable<TestCaseData> CommonWin32Codes() =>
        Win32Codes.Select(c => new TestCaseData(c.Code, c.Name)
            .SetArgDisplayNames(c.Name + "_0x" + c.Code.ToString("X", CultureInfo.InvariantCulture)));

    [TestCaseSource(nameof(HcnCodes))]
    [TestCaseSource(nameof(CommonWin32Codes))]
    public void Lookup_KnownCode_HasNameDescriptionCauseAndFix(int code, string name)
    {
        var info = HcnErrorCatalog.Lookup(code);

        Assert.That(info.Name, Is.EqualTo(name));
        Assert.That(info.HResult, Is.EqualTo(HcnErrorCatalog.Normalize(code)));
        Assert.That(info.Description, Is.Not.Empty);
        Assert.That(info.Cause, Has.Length.GreaterThan(20));
        Assert.That(info.Fix, Has.Length.GreaterThan(10));
        Assert.That(info.Cause, Is.Not.EqualTo(info.Fix));
    }

    [Test]
    public void All_Entries_HaveUniqueCodesAndNames()
    {
        Assert.That(HcnErrorCatalog.All.Select(e => e.HResult), Is.Unique);
        Assert.That(HcnErrorCatalog.All.Select(e => e.Name), Is.Unique);
    }

    [Test]
    public void All_Entries_CoverEveryReferenceCode()
    {
        var known = HcnErrorCatalog.All.Select(e => e.HResult).ToHashSet();

        Assert.That(ReferenceCodes.Select(c => unchecked((int)c.Code)), Is.SubsetOf(known));
    }

    [Test]
    public void Lookup_UnknownCode_GivesGenericMessageWithHex()
    {
        var info = HcnErrorCatalog.Lookup(unchecked((int)0x803B00FF));

        Assert.That(info.Name, Is.EqualTo("0x803B00FF"));
        Assert.That(info.Description, Does.Contain("0x803B00FF"));
        Assert.That(info.Cause, Does.Contain("0x803B00FF"));
        Assert.That(info.Fix, Does.Contain("0x803B00FF"));
    }

    [TestCase(1168, unchecked((int)0x80070490))]
    [TestCase(0x1392, unchecked((int)0x80071392))]
    [TestCase(0xB7, unchecked((int)0x800700B7))]
    [TestCase(unchecked((int)0x803B0013), unchecked((int)0x803B0013))]
    [TestCase(unchecked((int)0x80004001), unchecked((int)0x80004001))]
    public void Normalize_Win32OrHResult_GivesHResult(int code, int expected)
    {
        Assert.That(HcnErrorCatalog.Normalize(code), Is.EqualTo(expected));
    }

    [TestCase(unchecked((int)0x80070490))]
    [TestCase(1168)]
    [TestCase(unchecked((int)0x803B0001))]
    [TestCase(unchecked((int)0x803B0002))]
    public void IsNotFound_NotFoundCodes_True(int code)
    {
        Assert.That(HcnErrorCatalog.IsNotFound(code), Is.True);
        Assert.That(HcnErrorCatalog.IsAlreadyExists(code), Is.False);
    }

    [TestCase(unchecked((int)0x800700B7))]
    [TestCase(0xB7)]
    [TestCase(0x1392)]
    [TestCase(unchecked((int)0x803B0010))]
    [TestCase(unchecked((int)0x803B0012))]
    [TestCase(unchecked((int)0x803B0013))]
    [TestCase(unchecked((int)0x803B002B))]
    public void IsAlreadyExists_AlreadyExistsCodes_True(int code)
    {
        Assert.That(HcnErrorCatalog.IsAlreadyExists(code), Is.True);
        Assert.That(HcnErrorCatalog.IsNotFound(code), Is.False);
    }

    [TestCase(unchecked((int)0x803B000D))]
    [TestCase(unchecked((int)0x80004001))]
    [TestCase(unchecked((int)0x803B0015))]
    public void IsNotFoundAndIsAlreadyExists_OtherCodes_False(int code)
    {
        Assert.That(HcnErrorCatalog.IsNotFound(code), Is.False);
        Assert.That(HcnErrorCatalog.IsAlreadyExists(code), Is.False);
    }

    [Test]
    public void FormatHResult_NegativeCode_IsUpperHexWithPrefix()
    {
        Assert.That(HcnErrorCatalog.FormatHResult(unchecked((int)0x803b002f)), Is.EqualTo("0x803B002F"));
    }

    [Test]
    public void Constants_MatchTheirTableEntries()
    {
        Assert.That(HcnErrorCatalog.Lookup(HcnErrorCodes.PortAlreadyExists).Name, Is.EqualTo("HCN_E_PORT_ALREADY_EXISTS"));
        Assert.That(HcnErrorCatalog.Lookup(HcnErrorCodes.ElementNotFound).Name, Is.EqualTo("ERROR_NOT_FOUND"));
        Assert.That(HcnErrorCatalog.Lookup(HcnErrorCodes.NotImplemented).Name, Is.EqualTo("E_NOTIMPL"));
    }
}
