using Cni.Daemon.Service;

namespace Cni.Daemon.Tests.Install;

/// <summary>install-service behind its seam: the commands it runs and the unit it writes.</summary>
public sealed class ServiceInstallerTests
{
    private static readonly ServiceDefinition Linux = new("/usr/local/bin/wincnid", ["run", "--dataplane", "kernel", "--config", "/etc/wincni/node.yaml"]);

    [Test]
    public async Task Systemd_InstallThenUninstall_WritesUnitEnablesStartsThenRemoves()
    {
        var units = Directory.CreateTempSubdirectory("wcni-units-").FullName;
        try
        {
            var runner = new RecordingRunner();
            var installer = new SystemdServiceInstaller(runner, units, TextWriter.Null);

            await installer.InstallAsync(Linux, CancellationToken.None);
            var unit = Path.Combine(units, "wincnid.service");
            Assert.That(File.ReadAllText(unit), Is.EqualTo(SystemdUnit.Render(Linux)));
            Assert.That(File.ReadAllText(unit), Does.Contain("Type=notify").And.Contain("ExecStart=/usr/local/bin/wincnid run --dataplane kernel --config /etc/wincni/node.yaml"));
            Assert.That(Directory.GetFiles(units), Has.Length.EqualTo(1), "no staged file left");

            await installer.UninstallAsync(CancellationToken.None);
            Assert.That(File.Exists(unit), Is.False);
            Assert.That(runner.Commands, Is.EqualTo(new[]
            {
                "systemctl daemon-reload",
                "systemctl enable --now wincnid.service",
                "systemctl disable --now wincnid.service",
                "systemctl daemon-reload",
            }));
        }
        finally
        {
            Directory.Delete(units, recursive: true);
        }
    }

    [Test]
    public void Systemd_EnableFails_ErrorNamesCommandAndOutput()
    {
        var units = Directory.CreateTempSubdirectory("wcni-units-").FullName;
        try
        {
            var runner = new RecordingRunner { Fail = ("systemctl enable --now wincnid.service", new CommandResult(1, "Failed to enable unit: Unit file wincnid.service does not exist.")) };
            Assert.That(
                () => new SystemdServiceInstaller(runner, units, TextWriter.Null).InstallAsync(Linux, CancellationToken.None),
                Throws.TypeOf<ServiceInstallException>().With.Message.EqualTo("systemctl enable --now wincnid.service exited with 1: Failed to enable unit: Unit file wincnid.service does not exist."));
        }
        finally
        {
            Directory.Delete(units, recursive: true);
        }
    }

    [Test]
    public async Task Windows_InstallThenUninstall_ScExeCreateFailureRecoveryStartThenStopDelete()
    {
        var runner = new RecordingRunner();
        var installer = new WindowsServiceInstaller(runner, TextWriter.Null);
        var service = new ServiceDefinition(@"C:\Program Files\wincni\wincnid.exe", ["run", "--dataplane", "hcn", "--config", @"C:\ProgramData\wincni\node.yaml"]);

        await installer.InstallAsync(service, CancellationToken.None);
        await installer.UninstallAsync(CancellationToken.None);

        Assert.That(runner.Commands, Is.EqualTo(new[]
        {
            "sc.exe create wincnid binPath= \"C:\\Program Files\\wincni\\wincnid.exe\" run --dataplane hcn --config C:\\ProgramData\\wincni\\node.yaml start= auto depend= hns DisplayName= wincni node daemon",
            "sc.exe description wincnid " + ServiceDefinition.Description,
            "sc.exe failure wincnid reset= 86400 actions= restart/5000/restart/5000/restart/30000",
            "sc.exe start wincnid",
            "sc.exe stop wincnid",
            "sc.exe delete wincnid",
        }));
        Assert.That(runner.Arguments[0][3], Is.EqualTo("\"C:\\Program Files\\wincni\\wincnid.exe\" run --dataplane hcn --config C:\\ProgramData\\wincni\\node.yaml"), "binPath is one argument");
    }

    [Test]
    public async Task Windows_UninstallStoppedService_StillDeleted()
    {
        var runner = new RecordingRunner { Fail = ("sc.exe stop wincnid", new CommandResult(1062, "The service has not been started.")) };
        await new WindowsServiceInstaller(runner, TextWriter.Null).UninstallAsync(CancellationToken.None);
        Assert.That(runner.Commands, Is.EqualTo(new[] { "sc.exe stop wincnid", "sc.exe delete wincnid" }));
    }

    [Test]
    public async Task Windows_UninstallNoService_NothingDeleted()
    {
        var runner = new RecordingRunner { Fail = ("sc.exe stop wincnid", new CommandResult(1060, "The specified service does not exist as an installed service.")) };
        await new WindowsServiceInstaller(runner, TextWriter.Null).UninstallAsync(CancellationToken.None);
        Assert.That(runner.Commands, Is.EqualTo(new[] { "sc.exe stop wincnid" }));
    }

    [Test]
    public void WindowsBinaryPath_QuotesAndBackslashesBeforeQuotes_AsCommandLineToArgvWReads() =>
        Assert.That(
            WindowsServiceInstaller.BinaryPath(new ServiceDefinition(@"C:\w\wincnid.exe", ["run", "--config", @"C:\a b\", "x\"y"])),
            Is.EqualTo("C:\\w\\wincnid.exe run --config \"C:\\a b\\\\\" \"x\\\"y\""));

    private sealed class RecordingRunner : ICommandRunner
    {
        public List<string> Commands { get; } = [];

        public List<IReadOnlyList<string>> Arguments { get; } = [];

        public (string Command, CommandResult Result)? Fail { get; init; }

        public Task<CommandResult> RunAsync(string file, IReadOnlyList<string> arguments, CancellationToken cancellationToken)
        {
            var command = file + " " + string.Join(' ', arguments);
            Commands.Add(command);
            Arguments.Add(arguments);
            return Task.FromResult(Fail is { } fail && fail.Command == command ? fail.Result : new CommandResult(0, ""));
        }
    }
}
