namespace Cni.Daemon.Hosting;

/// <summary>The web application builder for wincnid's listeners (the daemon itself and the wait-for-Node server).</summary>
internal static class DaemonWebApplication
{
    /// <summary>
    /// A slim builder that reads no appsettings.json from the working directory and watches nothing: wincnid's
    /// configuration is its node config file, and the default builder would otherwise put a recursive file watcher
    /// on the working directory (often / or C:\) and wake up for every file written below it.
    /// </summary>
    public static WebApplicationBuilder CreateBuilder() => WebApplication.CreateSlimBuilder(new WebApplicationOptions
    {
        ContentRootPath = AppContext.BaseDirectory,
        Args = ["--hostBuilder:reloadConfigOnChange=false"],
    });
}
