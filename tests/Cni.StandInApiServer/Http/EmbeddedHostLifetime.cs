using Microsoft.Extensions.Hosting;

namespace Cni.StandInApiServer.Http;

/// <summary>A host lifetime that ignores Ctrl+C/SIGTERM: the stand-in lives inside a test or daemon process whose
/// own shutdown handling must not be taken over (the default console lifetime would stop the server on SIGTERM).</summary>
internal sealed class EmbeddedHostLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
