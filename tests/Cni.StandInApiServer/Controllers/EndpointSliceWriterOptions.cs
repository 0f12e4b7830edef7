using Microsoft.Extensions.Logging;

namespace Cni.StandInApiServer.Controllers;

/// <summary>Settings of an <see cref="EndpointSliceWriter"/>.</summary>
public sealed record EndpointSliceWriterOptions
{
    /// <summary>Endpoints per slice before another slice is started; the real controller's default (its
    /// <c>--max-endpoints-per-slice</c>) is 100.</summary>
    public int MaxEndpointsPerSlice { get; init; } = 100;

    /// <summary>How long a Service whose slices could not be written (a conflicting write, say) waits before the
    /// next attempt.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Clock for the trigger-time annotation and the retry delay.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Where the writer logs; null logs nowhere.</summary>
    public ILoggerFactory? LoggerFactory { get; init; }
}
