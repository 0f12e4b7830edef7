using Microsoft.Extensions.Logging;

namespace Cni.StandInApiServer;

/// <summary>Source-generated log messages of the stand-in API server.</summary>
internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Information, "Stand-in API server listening on {BaseAddress}")]
    public static partial void Listening(ILogger logger, Uri baseAddress);

    [LoggerMessage(2, LogLevel.Information, "Stand-in API server stopped")]
    public static partial void Stopped(ILogger logger);

    [LoggerMessage(3, LogLevel.Debug, "{Method} {Path}{Query} -> {Status}")]
    public static partial void Request(ILogger logger, string method, string path, string query, int status);

    [LoggerMessage(4, LogLevel.Debug, "Watch on {Resource} started (namespace {Namespace}, from resourceVersion {ResourceVersion})")]
    public static partial void WatchStarted(ILogger logger, string resource, string? @namespace, string? resourceVersion);

    [LoggerMessage(5, LogLevel.Warning, "Watch on {Resource} fell more than its queue behind and was closed")]
    public static partial void WatchOverflowed(ILogger logger, string resource);

    [LoggerMessage(6, LogLevel.Debug, "Watch on {Resource} ended")]
    public static partial void WatchEnded(ILogger logger, string resource);

    [LoggerMessage(7, LogLevel.Error, "Unexpected failure serving {Method} {Path}")]
    public static partial void Unexpected(ILogger logger, Exception exception, string method, string path);

    [LoggerMessage(8, LogLevel.Debug, "EndpointSlice writer: service {Service}: {Created} created, {Updated} updated, {Deleted} deleted")]
    public static partial void SlicesWritten(ILogger logger, string service, int created, int updated, int deleted);

    [LoggerMessage(9, LogLevel.Warning, "EndpointSlice writer: service {Service} failed; retrying")]
    public static partial void SliceSyncFailed(ILogger logger, Exception exception, string service);
}
