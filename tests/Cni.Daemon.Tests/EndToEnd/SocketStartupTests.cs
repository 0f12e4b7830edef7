namespace Cni.Daemon.Tests.EndToEnd;

/// <summary>The published <c>wincnid</c> refusing a socket it cannot make safe: one line naming the path, exit code 2, nothing started.</summary>
[TestFixture]
[NonParallelizable]
public sealed class SocketStartupTests
{
    private static readonly TimeSpan ExitTimeout = TimeSpan.FromSeconds(60);

    private Sandbox _sandbox = null!;

    [SetUp]
    public void CreateSandbox() => _sandbox = new Sandbox();

    [TearDown]
    public void DeleteSandbox() => _sandbox.Dispose();

    [TestCase(UnixFileMode.OtherWrite, "others")]
    [TestCase(UnixFileMode.GroupWrite, "its group")]
    [TestCase(UnixFileMode.GroupWrite | UnixFileMode.OtherWrite | UnixFileMode.StickyBit, "its group and others")]
    public async Task Run_SocketDirectoryWritableByOthers_Exit2NamingItAndNothingStarted(UnixFileMode loose, string writers)
    {
        if (OperatingSystem.IsWindows())
        {
            Assert.Ignore("POSIX modes");
            return;
        }

        var directory = Path.GetDirectoryName(_sandbox.Socket)!;
        Directory.CreateDirectory(directory);
        File.SetUnixFileMode(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | loose);

        var (exit, output) = await WincnidProcess.RunToEndAsync(ExitTimeout, "run", "--config", _sandbox.ConfigFile, "--dataplane", "memory");

        Assert.That(exit, Is.EqualTo(2), output);
        Assert.That(output, Does.Contain($"socket {_sandbox.Socket}: its directory {directory} is writable by {writers}"));
        Assert.That(output, Does.Not.Contain("   at "), "one line, no stack trace");
        Assert.That(File.Exists(_sandbox.Socket), Is.False);
        Assert.That(Directory.Exists(_sandbox.StateDir), Is.False, "the socket is checked before anything else starts");
    }

    [Test]
    public async Task Run_SocketPathLongerThanAfUnixAllows_Exit2NamingTheLimit()
    {
        var tooLong = Path.Combine(_sandbox.Root, new string('s', 120) + ".sock");

        var (exit, output) = await WincnidProcess.RunToEndAsync(ExitTimeout, "run", "--config", _sandbox.ConfigFile, "--dataplane", "memory", "--socket", tooLong);

        Assert.That(exit, Is.EqualTo(2), output);
        Assert.That(output, Does.Contain(tooLong).And.Contain("at most 107"));
        Assert.That(output, Does.Not.Contain("   at "), "one line, no stack trace");
    }
}
