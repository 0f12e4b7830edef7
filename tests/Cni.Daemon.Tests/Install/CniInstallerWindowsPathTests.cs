using System.Text;
using Cni.Daemon.Install;

namespace Cni.Daemon.Tests.Install;

/// <summary>The installer's Windows logic, on a file system that refuses to replace or delete a running wincni.exe.</summary>
public sealed class CniInstallerWindowsPathTests
{
    private const string Bin = @"C:\opt\cni\bin";
    private const string Conf = @"C:\etc\cni\net.d";
    private const string Image = @"C:\hpc\wincni";
    private const string Plugin = Bin + @"\wincni.exe";

    private readonly InstallPaths _paths = new(Windows: true);

    private static CniInstallRequest Request => new()
    {
        SourceDir = Image,
        BinDir = Bin,
        ConfDir = Conf,
        Conflist = ConflistRenderer.Render(ConflistRenderer.DefaultConflist, "test", "wincni", @"C:\ProgramData\wincni\wincnid.sock"),
    };

    [Test]
    public void Paths_Windows_SigWindowsToolsLayoutAndBackslashes()
    {
        Assert.That(_paths.PluginFileName, Is.EqualTo("wincni.exe"));
        Assert.That(_paths.DefaultBinDir, Is.EqualTo(@"C:\opt\cni\bin"));
        Assert.That(_paths.DefaultConfDir, Is.EqualTo(@"C:\etc\cni\net.d"));
        Assert.That(_paths.StagingPath(Plugin, 42), Is.EqualTo(@"C:\opt\cni\bin\.wincni.exe.42.wincni-tmp"));
        Assert.That(_paths.AsidePath(Plugin, p => p.EndsWith("-1", StringComparison.Ordinal)), Is.EqualTo(@"C:\opt\cni\bin\wincni.exe.wincni-old-2"));
        Assert.That(_paths.Combine(@"C:\opt\cni\bin\", "wincni.exe"), Is.EqualTo(Plugin));
    }

    [Test]
    public void Install_RunningPlugin_RenamedAsideNewOneRenamedIn()
    {
        var files = new FakeInstallFileSystem();
        files.Files[Image + @"\wincni.exe"] = "v2"u8.ToArray();
        files.Files[Plugin] = "v1"u8.ToArray();
        files.Running.Add(Plugin);

        new CniInstaller(files, _paths, TextWriter.Null, 7).Install(Request);

        Assert.That(Encoding.UTF8.GetString(files.Files[Plugin]), Is.EqualTo("v2"));
        Assert.That(Encoding.UTF8.GetString(files.Files[Plugin + ".wincni-old-1"]), Is.EqualTo("v1"), "the running image keeps running under another name");
        Assert.That(files.Operations, Is.EqualTo(new[]
        {
            @"write C:\opt\cni\bin\.wincni.exe.7.wincni-tmp",
            @"move C:\opt\cni\bin\wincni.exe -> C:\opt\cni\bin\wincni.exe.wincni-old-1",
            @"move C:\opt\cni\bin\.wincni.exe.7.wincni-tmp -> C:\opt\cni\bin\wincni.exe",
            @"write C:\etc\cni\net.d\.10-wincni.conflist.7.wincni-tmp",
            @"replace C:\etc\cni\net.d\.10-wincni.conflist.7.wincni-tmp -> C:\etc\cni\net.d\10-wincni.conflist",
            @"write C:\opt\cni\bin\.wincni.installed.7.wincni-tmp",
            @"replace C:\opt\cni\bin\.wincni.installed.7.wincni-tmp -> C:\opt\cni\bin\wincni.installed",
        }));
    }

    [Test]
    public void Install_AsideImageNoLongerRunning_DeletedByTheNextRun()
    {
        var files = new FakeInstallFileSystem();
        files.Files[Image + @"\wincni.exe"] = "v2"u8.ToArray();
        files.Files[Plugin] = "v1"u8.ToArray();
        files.Running.Add(Plugin);
        new CniInstaller(files, _paths, TextWriter.Null, 7).Install(Request);
        files.Running.Clear();

        new CniInstaller(files, _paths, TextWriter.Null, 8).Install(Request);

        Assert.That(files.Files.Keys.Where(k => k.StartsWith(Bin, StringComparison.Ordinal)), Is.EquivalentTo(new[] { Plugin, Bin + @"\wincni.installed" }));
    }

    [Test]
    public void Install_PluginNotRunning_ReplacedInOneRename()
    {
        var files = new FakeInstallFileSystem();
        files.Files[Image + @"\wincni.exe"] = "v2"u8.ToArray();
        files.Files[Plugin] = "v1"u8.ToArray();

        new CniInstaller(files, _paths, TextWriter.Null, 7).Install(Request);

        Assert.That(files.Operations, Does.Contain(@"replace C:\opt\cni\bin\.wincni.exe.7.wincni-tmp -> C:\opt\cni\bin\wincni.exe"));
        Assert.That(files.Files.Keys, Has.None.Contains("wincni-old"));
    }

    [Test]
    public void Uninstall_RunningPlugin_RenamedAsideSoTheNameIsFree()
    {
        var files = new FakeInstallFileSystem();
        files.Files[Image + @"\wincni.exe"] = "v1"u8.ToArray();
        new CniInstaller(files, _paths, TextWriter.Null, 7).Install(Request);
        files.Running.Add(Plugin);

        new CniInstaller(files, _paths, TextWriter.Null, 8).Uninstall(Request);

        Assert.That(files.FileExists(Plugin), Is.False);
        Assert.That(files.FileExists(Plugin + ".wincni-old-1"), Is.True, "deleted once it stops running, by the next install");
        Assert.That(files.FileExists(Conf + @"\10-wincni.conflist"), Is.False);
    }
}
