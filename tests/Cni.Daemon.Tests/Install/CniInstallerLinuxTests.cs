using Cni.Daemon.Install;

namespace Cni.Daemon.Tests.Install;

/// <summary>The installer on real Linux paths (a scratch directory standing for / of a node).</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class CniInstallerLinuxTests
{
    private string _root = null!;
    private CniInstallRequest _request = null!;
    private StringWriter _output = null!;

    [SetUp]
    public void CreateScratch()
    {
        if (OperatingSystem.IsWindows()) Assert.Ignore("Linux paths (the Windows logic is CniInstallerWindowsPathTests)");
        _root = Directory.CreateTempSubdirectory("wcni-install-").FullName;
        var source = Directory.CreateDirectory(Path.Combine(_root, "image")).FullName;
        File.WriteAllText(Path.Combine(source, "wincni"), "plugin v1");
        _request = new CniInstallRequest
        {
            SourceDir = source,
            BinDir = Path.Combine(_root, "opt/cni/bin"),
            ConfDir = Path.Combine(_root, "etc/cni/net.d"),
            Conflist = ConflistRenderer.Render(ConflistRenderer.DefaultConflist, "test", "wincni", "/run/wincni/wincnid.sock"),
        };
        _output = new StringWriter();
    }

    [TearDown]
    public void RemoveScratch()
    {
        _output?.Dispose();
        if (_root is not null) Directory.Delete(_root, recursive: true);
    }

    private CniInstaller Installer() => new(new PhysicalInstallFileSystem(), new InstallPaths(Windows: false), _output, Environment.ProcessId);

    private string Plugin => Path.Combine(_request.BinDir, "wincni");

    private string Conflist => Path.Combine(_request.ConfDir, InstallPaths.DefaultConflistName);

    [Test]
    public void Install_EmptyNode_PlacesExecutablePluginAndConflistOnly()
    {
        var written = Installer().Install(_request);

        Assert.That(written, Is.EqualTo(new[] { Plugin, Conflist }));
        Assert.That(File.ReadAllText(Plugin), Is.EqualTo("plugin v1"));
        Assert.That(File.GetUnixFileMode(Plugin) & UnixFileMode.UserExecute, Is.EqualTo(UnixFileMode.UserExecute));
        Assert.That(File.ReadAllText(Conflist), Is.EqualTo(_request.Conflist));
        Assert.That(Directory.GetFiles(_request.ConfDir).Select(Path.GetFileName), Is.EqualTo(new[] { InstallPaths.DefaultConflistName }), "nothing else in net.d, no temporary files");
        Assert.That(Directory.GetFiles(_request.BinDir).Select(Path.GetFileName), Is.EquivalentTo(new[] { "wincni", InstallPaths.RecordFileName }));
    }

    [Test]
    public void Install_Twice_SecondWritesNothing()
    {
        Installer().Install(_request);
        var inode = Inode(Plugin);

        var written = Installer().Install(_request);

        Assert.That(written, Is.Empty);
        Assert.That(Inode(Plugin), Is.EqualTo(inode), "an unchanged file is not even rewritten");
        Assert.That(_output.ToString(), Does.Contain("unchanged " + Plugin));
    }

    [Test]
    public void Install_NewPluginWhileOldIsOpen_RenamedOverSoTheOpenCopyStaysWhole()
    {
        Installer().Install(_request);
        using var running = new FileStream(Plugin, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        var inode = Inode(Plugin);
        File.WriteAllText(Path.Combine(_request.SourceDir, "wincni"), "plugin v2, longer");

        Installer().Install(_request);

        Assert.That(File.ReadAllText(Plugin), Is.EqualTo("plugin v2, longer"));
        Assert.That(Inode(Plugin), Is.Not.EqualTo(inode), "a new file renamed into place, never written in place");
        using var reader = new StreamReader(running);
        Assert.That(reader.ReadToEnd(), Is.EqualTo("plugin v1"), "whoever had the old file open still reads all of it");
    }

    [Test]
    public void Install_LeftoversOfAnInterruptedRun_Removed()
    {
        Directory.CreateDirectory(_request.BinDir);
        var staged = Path.Combine(_request.BinDir, ".wincni.12345" + InstallPaths.StagingSuffix);
        File.WriteAllText(staged, "half");
        File.WriteAllText(Path.Combine(_request.BinDir, "bridge"), "someone else's");

        Installer().Install(_request);

        Assert.That(File.Exists(staged), Is.False);
        Assert.That(File.Exists(Path.Combine(_request.BinDir, "bridge")), Is.True);
    }

    [Test]
    public void Uninstall_AfterInstall_RemovesOnlyUnchangedFilesItPlaced()
    {
        Installer().Install(_request);
        File.WriteAllText(Path.Combine(_request.BinDir, "bridge"), "someone else's");
        File.WriteAllText(Path.Combine(_request.ConfDir, "05-other.conflist"), "{}");
        File.AppendAllText(Conflist, "\n");

        var removed = Installer().Uninstall(_request);

        Assert.That(removed, Is.EqualTo(new[] { Plugin }));
        Assert.That(File.Exists(Conflist), Is.True, "changed since it was placed: left");
        Assert.That(_output.ToString(), Does.Contain($"left {Conflist}: changed since wincni placed it"));
        Assert.That(Directory.GetFiles(_request.BinDir).Select(Path.GetFileName), Is.EqualTo(new[] { "bridge" }));
        Assert.That(File.Exists(Path.Combine(_request.ConfDir, "05-other.conflist")), Is.True);
    }

    [Test]
    public void Uninstall_NothingInstalled_RemovesNothing()
    {
        Directory.CreateDirectory(_request.BinDir);
        File.WriteAllText(Path.Combine(_request.BinDir, "wincni"), "not ours");

        Assert.That(Installer().Uninstall(_request), Is.Empty);
        Assert.That(File.Exists(Path.Combine(_request.BinDir, "wincni")), Is.True);
    }

    [Test]
    public void Install_SourceWithoutPlugin_FailsNamingTheOption()
    {
        File.Delete(Path.Combine(_request.SourceDir, "wincni"));
        Assert.That(() => Installer().Install(_request), Throws.TypeOf<InstallException>().With.Message.Contains("--source-dir").And.Message.Contains("has no wincni"));
    }

    private static long Inode(string path)
    {
        // stat -c %i, without P/Invoke: the inode changes exactly when a new file was renamed into place.
        var start = new System.Diagnostics.ProcessStartInfo("stat", ["-c", "%i", path]) { RedirectStandardOutput = true };
        using var process = System.Diagnostics.Process.Start(start)!;
        var text = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return long.Parse(text.Trim(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
