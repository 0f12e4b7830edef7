using Cni.Daemon.Hosting;

namespace Cni.Daemon.Tests.Hosting;

[TestFixture]
[Platform(Exclude = "Win", Reason = "Unix file modes; on Windows ProgramData's ACL decides")]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class StateDirectoryGuardTests
{
    private const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private string _root = null!;

    [SetUp]
    public void SetUp() => _root = Directory.CreateTempSubdirectory("wcni-sd-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_root, recursive: true);

    [Test]
    public void Prepare_Missing_Created0700()
    {
        var stateDir = Path.Combine(_root, "var", "lib", "wincni");

        var tightened = StateDirectoryGuard.Prepare(stateDir);

        Assert.That(tightened, Is.Null);
        Assert.That(File.GetUnixFileMode(stateDir), Is.EqualTo(Private));
    }

    [Test]
    public void Prepare_ReadableByOthers_TightenedTo0700AndReported()
    {
        var stateDir = Directory.CreateDirectory(Path.Combine(_root, "state")).FullName;
        File.SetUnixFileMode(stateDir, (UnixFileMode)0b111_101_101);

        var tightened = StateDirectoryGuard.Prepare(stateDir);

        Assert.That(tightened is { } mode ? StateDirectoryGuard.Octal(mode) : null, Is.EqualTo("0755"));
        Assert.That(File.GetUnixFileMode(stateDir), Is.EqualTo(Private));
    }

    [TestCase(0b111_111_111, "0777", "its group and everyone")]
    [TestCase(0b111_101_111, "0757", "everyone")]
    [TestCase(0b111_111_000, "0770", "its group")]
    public void Prepare_WritableByOthers_RefusedInOneLineNamingModeAndFix(int mode, string octal, string who)
    {
        var stateDir = Directory.CreateDirectory(Path.Combine(_root, "state")).FullName;
        File.SetUnixFileMode(stateDir, (UnixFileMode)mode);

        var ex = Assert.Throws<DaemonStartupException>(() => StateDirectoryGuard.Prepare(stateDir));

        Assert.That(ex!.Message, Does.Contain($"stateDir {stateDir} is writable by {who} (mode {octal})").And.Contain($"chmod 700 {stateDir}"));
        Assert.That(ex.Message, Does.Not.Contain('\n'));
        Assert.That(File.GetUnixFileMode(stateDir), Is.EqualTo((UnixFileMode)mode), "left as it was for the operator to look at");
    }

    [Test]
    public void Prepare_AFile_Refused()
    {
        var file = Path.Combine(_root, "state");
        File.WriteAllText(file, "");

        Assert.That(() => StateDirectoryGuard.Prepare(file), Throws.InstanceOf<DaemonStartupException>().With.Message.Contains("not a directory"));
    }
}
