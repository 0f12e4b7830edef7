using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Cni.Daemon.Metrics;
using Cni.Node.Pods;
using Cni.Spec;
using Cni.Spec.Wire;

namespace Cni.Daemon.Hosting;

/// <summary>
/// POST /v1/cni on the CNI socket: one forwarded plugin invocation in, the bytes for the plugin's stdout out
/// (see <see cref="DaemonProtocol"/>). Only connections on the AF_UNIX socket are served: the TCP listener carries
/// health and metrics, never pod changes.
/// </summary>
public sealed partial class CniEndpoint
{
    private readonly ICniCommandHandler _handler;
    private readonly ReadinessHold _hold;
    private readonly CniRequestMetrics _metrics;
    private readonly ILogger<CniEndpoint> _logger;
    private readonly TimeSpan _requestTimeout;
    private readonly CancellationToken _stopping;

    /// <param name="handler">Runs the commands.</param>
    /// <param name="hold">Holds a request wincnid cannot serve yet.</param>
    /// <param name="metrics">The CNI request instruments.</param>
    /// <param name="logger">Logs each request.</param>
    /// <param name="requestTimeout">The daemon's deadline for one command.</param>
    /// <param name="stopping">Fires when wincnid stops: a held request's connection is then dropped, so the plugin asks the next wincnid.</param>
    public CniEndpoint(ICniCommandHandler handler, ReadinessHold hold, CniRequestMetrics metrics, ILogger<CniEndpoint> logger, TimeSpan requestTimeout, CancellationToken stopping)
    {
        _handler = handler;
        _hold = hold;
        _metrics = metrics;
        _logger = logger;
        _requestTimeout = requestTimeout;
        _stopping = stopping;
    }

    public async Task HandleAsync(HttpContext context)
    {
        if (!UnixSocketConnection.IsUnixSocket(context))
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        var started = Stopwatch.GetTimestamp();
        DaemonRequest? request = null;
        CniOutcome outcome;
        try
        {
            request = await JsonSerializer.DeserializeAsync(context.Request.Body, WireJsonContext.Default.DaemonRequest, context.RequestAborted)
                .ConfigureAwait(false);
            if (request is null || request.Config.ValueKind != JsonValueKind.Object)
            {
                outcome = CniOutcome.Failure(CniError.Create(CniErrorCode.DecodingFailure, "daemon request: config must be the network configuration object"));
            }
            else if (!DaemonRequestReader.TryRead(request, out var parsed, out var answer))
            {
                outcome = answer;
            }
            else if (await HoldAsync(context, parsed).ConfigureAwait(false) is not { } hold)
            {
                // The plugin left, or wincnid stops and dropped the connection: nobody is left to answer.
                return;
            }
            else if (!hold.Servable)
            {
                outcome = _hold.NotReady(parsed.Command, hold.Held, parsed.CniVersion);
            }
            else
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
                timeout.CancelAfter(_requestTimeout);
                try
                {
                    outcome = await _handler.HandleAsync(parsed, timeout.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException cancelled) when (!context.RequestAborted.IsCancellationRequested)
                {
                    // Our own deadline, not the caller's: say which one, and what the command was doing when it expired.
                    var step = cancelled is CniCommandCancelledException { Step: var s } ? " " + s.Describe() : "";
                    outcome = CniOutcome.Failure(CniError.Create(
                        CniErrorCode.TryAgainLater,
                        string.Create(CultureInfo.InvariantCulture, $"{request.Command} did not finish within {_requestTimeout.TotalSeconds:0.###} s{step}"),
                        "HNS or the node is slow; the runtime will retry, and a retried ADD or DEL continues where this one stopped",
                        parsed.CniVersion));
                }
            }
        }
        catch (JsonException e)
        {
            outcome = CniOutcome.Failure(CniError.Create(CniErrorCode.DecodingFailure, "daemon request is not valid JSON", e.Message));
        }
        catch (BadHttpRequestException e)
        {
            // Kestrel's request body limit (DaemonProtocol.MaxRequestBytes).
            outcome = CniOutcome.Failure(CniError.Create(CniErrorCode.IoFailure, "daemon request rejected", e.Message));
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The plugin went away (its own deadline); nobody is left to answer.
            return;
        }

        var command = request?.Command ?? "invalid";
        var code = outcome.Error is null ? 0 : (int)outcome.Error.Code;
        var elapsed = Stopwatch.GetElapsedTime(started);
        _metrics.Record(command, code, elapsed);
        if (outcome.Error is { } error)
        {
            LogFailed(command, request?.ContainerId ?? "", request?.IfName ?? "", code, error.Msg, error.Details, elapsed.TotalMilliseconds);
        }
        else
        {
            LogHandled(command, request?.ContainerId ?? "", request?.IfName ?? "", elapsed.TotalMilliseconds);
        }

        await WriteAsync(context, outcome).ConfigureAwait(false);
    }

    /// <summary>
    /// Holds the request until the node can serve it or the plugin's time is nearly up; null when the plugin left, or
    /// when wincnid stops meanwhile: the connection is then dropped, so the plugin asks again and reaches the next wincnid.
    /// </summary>
    private async Task<(bool Servable, TimeSpan Held)?> HoldAsync(HttpContext context, PluginRequest request)
    {
        using var either = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _stopping);
        try
        {
            return await _hold.WaitAsync(request.Command, ReadinessHold.Budget(context.Request, _requestTimeout), either.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (either.IsCancellationRequested)
        {
            context.Abort();
            return null;
        }
    }

    /// <summary>Writes <paramref name="outcome"/> as the plugin expects it: the result, or the error with its HTTP status.</summary>
    internal static async Task WriteAsync(HttpContext context, CniOutcome outcome)
    {
        var body = outcome.Error is { } error ? CniJson.Serialize(error) : outcome.Result ?? [];
        context.Response.StatusCode = outcome.Error is { } e ? CniHttpStatus.For(e.Code) : StatusCodes.Status200OK;
        context.Response.ContentType = DaemonProtocol.ContentType;
        context.Response.ContentLength = body.Length;
        await context.Response.Body.WriteAsync(body, context.RequestAborted).ConfigureAwait(false);
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "CNI {Command} container={ContainerId} ifName={IfName} ok in {ElapsedMs:0.0} ms")]
    private partial void LogHandled(string command, string containerId, string ifName, double elapsedMs);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "CNI {Command} container={ContainerId} ifName={IfName} failed with code {Code}: {Msg} ({Details}) in {ElapsedMs:0.0} ms")]
    private partial void LogFailed(string command, string containerId, string ifName, int code, string msg, string? details, double elapsedMs);
}
