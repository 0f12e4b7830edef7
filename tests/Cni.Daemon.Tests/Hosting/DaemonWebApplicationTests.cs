using Cni.Daemon.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Json;

namespace Cni.Daemon.Tests.Hosting;

public sealed class DaemonWebApplicationTests
{
    [Test]
    public async Task CreateBuilder_AnyWorkingDirectory_ContentRootIsTheInstallDirectoryAndNothingIsWatched()
    {
        var builder = DaemonWebApplication.CreateBuilder();
        await using var app = builder.Build();

        var files = ((IConfigurationRoot)app.Configuration).Providers.OfType<JsonConfigurationProvider>().ToList();
        Assert.Multiple(() =>
        {
            Assert.That(builder.Environment.ContentRootPath.TrimEnd(Path.DirectorySeparatorChar), Is.EqualTo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)));
            Assert.That(files.Select(f => f.Source.ReloadOnChange), Is.All.False, "no file watcher on the content root");
        });
    }
}
