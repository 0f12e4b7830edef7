using System.Net;
using Microsoft.Extensions.Logging;

namespace Cni.StandInApiServer;

/// <summary>Settings of a <see cref="StandInApiServer"/>.</summary>
public sealed record StandInApiServerOptions
{
    /// <summary>Address to listen on (plain HTTP, no auth). Default 127.0.0.1.</summary>
    public IPAddress Address { get; init; } = IPAddress.Loopback;

    /// <summary>TCP port; 0 picks a free one on the first start, later starts reuse it.</summary>
    public int Port { get; init; }

    /// <summary>How often a watch with <c>allowWatchBookmarks=true</c> gets a BOOKMARK event. Default 1 minute.</summary>
    public TimeSpan BookmarkInterval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>How many events are kept for watch resume and exact lists; older ones answer 410 Gone.</summary>
    public int HistoryLimit { get; init; } = 1000;

    /// <summary>Range that Service cluster IPs are allocated from. Default 10.96.0.0/12.</summary>
    public IPNetwork ServiceCidr { get; init; } = IPNetwork.Parse("10.96.0.0/12");

    /// <summary>Capacity of each watch's queue; a watcher further behind than this is disconnected.</summary>
    public int WatchQueueCapacity { get; init; } = 1000;

    /// <summary>How long a deleted namespace stays Terminating before it and its content are removed. Default 200 ms.</summary>
    public TimeSpan NamespaceFinalizationDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Clock for creation timestamps, ages and bookmark timers.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>
    /// Extra listeners, each a factory called at every start that returns the file descriptor of a bound, listening
    /// TCP socket (e.g. one made inside another network namespace, so nodes there reach the server); the server takes
    /// the descriptor over and closes it on stop.
    /// </summary>
    public IReadOnlyList<Func<int>> AdditionalListeners { get; init; } = [];

    /// <summary>Where the server logs; null logs nowhere.</summary>
    public ILoggerFactory? LoggerFactory { get; init; }
}
