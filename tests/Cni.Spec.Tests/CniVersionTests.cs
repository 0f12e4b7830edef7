namespace Cni.Spec.Tests;

[TestFixture]
public sealed class CniVersionTests
{
    [Test]
    public void Supported_Always_FiveVersionsInOrder() =>
        Assert.That(CniVersion.Supported, Is.EqualTo(new[] { "0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0" }));

    [TestCase("1.1.0", true)]
    [TestCase("0.3.0", true)]
    [TestCase("1.1", false)]
    [TestCase("1.1.0 ", false)]
    [TestCase("v1.1.0", false)]
    [TestCase("0.2.0", false)]
    [TestCase("0.1.0", false)]
    [TestCase("2.0.0", false)]
    [TestCase("", false)]
    [TestCase(null, false)]
    public void IsSupported_Version_ExactStringMatch(string? version, bool expected) =>
        Assert.That(CniVersion.IsSupported(version), Is.EqualTo(expected));

    [TestCase("0.3.0", CniResultFamily.V03)]
    [TestCase("0.3.1", CniResultFamily.V03)]
    [TestCase("0.4.0", CniResultFamily.V03)]
    [TestCase("1.0.0", CniResultFamily.V1)]
    [TestCase("1.1.0", CniResultFamily.V1)]
    public void FamilyOf_SupportedVersion_IsItsFamily(string version, CniResultFamily family) =>
        Assert.That(CniVersion.FamilyOf(version), Is.EqualTo(family));

    [Test]
    public void FamilyOf_Unknown_Code1() =>
        Assert.That(() => CniVersion.FamilyOf("9.9.9"), Throws.TypeOf<CniException>().With.Property("Code").EqualTo(CniErrorCode.IncompatibleCniVersion));

    [TestCase(CniCommand.Check, "0.3.0", "config version does not allow CHECK")]
    [TestCase(CniCommand.Check, "0.3.1", "config version does not allow CHECK")]
    [TestCase(CniCommand.Status, "1.0.0", "config version does not allow STATUS")]
    [TestCase(CniCommand.Status, "0.4.0", "config version does not allow STATUS")]
    [TestCase(CniCommand.Gc, "1.0.0", "config version does not allow GC")]
    [TestCase(CniCommand.Add, "2.0.0", "incompatible CNI versions")]
    [TestCase(CniCommand.Check, "0.1.0", "config version does not allow CHECK")]
    [TestCase(CniCommand.Check, "0.2.0", "config version does not allow CHECK")]
    [TestCase(CniCommand.Check, "", "config version does not allow CHECK")]
    [TestCase(CniCommand.Gc, "1.0", "config version does not allow GC")]
    [TestCase(CniCommand.Gc, "1.1", "incompatible CNI versions")]
    [TestCase(CniCommand.Check, "abc", "incompatible CNI versions")]
    [TestCase(CniCommand.Check, "2.0.0", "incompatible CNI versions")]
    [TestCase(CniCommand.Status, "1.1.0.0", "incompatible CNI versions")]
    public void EnsureCommandAllowed_Refused_Code1WithMessage(CniCommand command, string version, string msg)
    {
        var e = Assert.Throws<CniException>(() => CniVersion.EnsureCommandAllowed(command, version));
        Assert.Multiple(() =>
        {
            Assert.That(e!.Code, Is.EqualTo(CniErrorCode.IncompatibleCniVersion));
            Assert.That(e.Error.Msg, Is.EqualTo(msg));
        });
    }

    [TestCase(CniCommand.Add, "0.3.0")]
    [TestCase(CniCommand.Del, "0.3.1")]
    [TestCase(CniCommand.Check, "0.4.0")]
    [TestCase(CniCommand.Check, "1.0.0")]
    [TestCase(CniCommand.Status, "1.1.0")]
    [TestCase(CniCommand.Gc, "1.1.0")]
    public void EnsureCommandAllowed_Allowed_DoesNotThrow(CniCommand command, string version) =>
        Assert.That(() => CniVersion.EnsureCommandAllowed(command, version), Throws.Nothing);

    [TestCase("0.4.0", new[] { "1.0.0", "1.1.0", "0.3.1" }, "1.1.0")]
    [TestCase("1.0.0", new[] { "2.0.0", "1.5.0" }, "1.0.0")]
    [TestCase(null, new[] { "0.3.1", "0.4.0" }, "0.4.0")]
    [TestCase("3.0.0", new string[0], null)]
    public void SelectHighest_VersionLists_HighestSupported(string? version, string[] versions, string? expected) =>
        Assert.That(CniVersion.SelectHighest(version, versions), Is.EqualTo(expected));

    [Test]
    public void Compare_SupportedVersions_Ordered() =>
        Assert.Multiple(() =>
        {
            Assert.That(CniVersion.Compare("0.3.1", "0.4.0"), Is.LessThan(0));
            Assert.That(CniVersion.Compare("1.1.0", "1.0.0"), Is.GreaterThan(0));
            Assert.That(CniVersion.IsAtLeast("1.0.0", "0.4.0"), Is.True);
        });
}
