using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using Cni.Plugin.Linux;
using Cni.Plugin.Transport;
using Cni.Spec;
using Cni.Spec.Wire;

namespace Cni.Plugin;

/// <summary>
/// One invocation of <c>wincni</c>: answers VERSION itself, validates every other command before anything changes,
/// forwards it verbatim to wincnid and prints the daemon's answer. stdout carries exactly one CNI document (or
/// nothing); diagnostics go to stderr and the optional log file.
/// </summary>
internal sealed class PluginRunner
{
    /// <summary>Default deadlines per command; STATUS is polled by kubelet and must answer quickly either way.</summary>
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan StatusTimeout = TimeSpan.FromSeconds(10);

    private readonly Func<string, string?> _getEnvironmentVariable;
    private readonly Stream _stdin;
    private readonly bool _stdinIsTerminal;
    private readonly Stream _stdout;
    private readonly Lazy<TextWriter> _stderr;
    private readonly long _started = Stopwatch.GetTimestamp();

    public PluginRunner(
        Func<string, string?> getEnvironmentVariable,
        Stream stdin,
        bool stdinIsTerminal,
        Stream stdout,
        Func<TextWriter> stderr)
    {
        _getEnvironmentVariable = getEnvironmentVariable;
        _stdin = stdin;
        _stdinIsTerminal = stdinIsTerminal;
        _stdout = stdout;
        // Lazily: touching Console.Error sets up encoders, a cost only the failure path should pay.
        _stderr = new Lazy<TextWriter>(stderr);
    }

    /// <summary>Runs the invocation and returns the process exit code.</summary>
    public int Run()
    {
        var command = _getEnvironmentVariable("CNI_COMMAND");
        PluginRequest? request = null;
        byte[] stdin = [];
        try
        {
            if (string.Equals(command, "VERSION", StringComparison.Ordinal))
            {
                // Nothing but CNI_COMMAND may be relied on for VERSION; a terminal on stdin means "no input".
                var input = _stdinIsTerminal ? [] : StdinReader.Read(_stdin);
                Write(VersionInfo.ResponseFor(input));
                return 0;
            }

            stdin = StdinReader.Read(_stdin);
            request = PluginInvocation.Parse(_getEnvironmentVariable, stdin);
            CheckNetworkNamespace(request);
            var response = Forward(request, stdin);
            return Emit(request, response);
        }
        catch (CniException e)
        {
            return Fail(request, stdin, e.Error);
        }
        catch (DaemonUnavailableException e)
        {
            var code = request?.Command == CniCommand.Status ? CniErrorCode.PluginNotAvailable : CniErrorCode.TryAgainLater;
            return Fail(request, stdin, CniError.Create(code, "wincnid is unavailable", $"{e.Message} (socket: {e.SocketPath})"));
        }
#pragma warning disable CA1031 // The last line of defence: whatever happens, the runtime must get a CNI error document.
        catch (Exception e)
#pragma warning restore CA1031
        {
            return Fail(request, stdin, CniError.Create(CniErrorCode.Internal, "internal error in wincni", e.ToString()));
        }
    }

    /// <summary>
    /// On Linux a path CNI_NETNS must exist for ADD/CHECK and must never be the plugin's own namespace: acting on it
    /// would reconfigure the host. Checked here, before the daemon changes anything (the reference checks afterwards).
    /// GUIDs (Windows HCN namespaces) and other forms are the daemon's to interpret.
    /// </summary>
    private static void CheckNetworkNamespace(PluginRequest request)
    {
        if (!OperatingSystem.IsLinux() || NetnsReference.Classify(request.Netns).Kind != NetnsKind.Path
            || request.Command is not (CniCommand.Add or CniCommand.Check or CniCommand.Del))
        {
            return;
        }

        switch (NamespaceIdentity.TryGet(request.Netns, out var target))
        {
            case NamespaceIdentity.Outcome.Missing when request.Command != CniCommand.Del:
                throw new CniException(
                    CniErrorCode.UnknownContainer,
                    $"CNI_NETNS {request.Netns} does not exist",
                    "the container's network namespace is gone; nothing was changed");
            case NamespaceIdentity.Outcome.Found
                when NamespaceIdentity.TryGet("/proc/self/ns/net", out var own) == NamespaceIdentity.Outcome.Found
                     && own == target:
                throw new CniException(
                    CniErrorCode.InvalidNetNs,
                    $"CNI_NETNS {request.Netns} is the plugin's own network namespace",
                    "refusing to configure the host's namespace as a container's");
            default:
                return;
        }
    }

    private static DaemonResponse Forward(PluginRequest request, byte[] stdin)
    {
        var socketPath = string.IsNullOrEmpty(request.Config.Socket) ? DaemonProtocol.DefaultSocketPath : request.Config.Socket;
        var timeout = request.Config.TimeoutSeconds is { } seconds
            ? TimeSpan.FromSeconds(seconds)
            : request.Command == CniCommand.Status ? StatusTimeout : DefaultTimeout;

        var body = new ArrayBufferWriter<byte>(stdin.Length + 512);
        DaemonRequest.Write(
            body,
            request.Command.ToWireName(),
            request.ContainerId,
            request.Netns,
            request.IfName,
            request.CniArgsRaw,
            request.CniPath,
            stdin);

        return new DaemonClient(socketPath, timeout).Send(body.WrittenSpan);
    }

    private int Emit(PluginRequest request, DaemonResponse response)
    {
        if (!response.IsSuccess)
        {
            return Fail(request, [], DaemonErrors.FromResponse(response));
        }

        if (request.Command == CniCommand.Add)
        {
            // Only a result in the request's version may reach the runtime: a runtime that cannot parse it would
            // leave the pod half set up.
            ValidateResult(response.Body, request.Config.CniVersion);
            Write(response.Body);
        }

        Log(request, "ok");
        return 0;
    }

    private static void ValidateResult(byte[] body, string cniVersion)
    {
        string? problem;
        try
        {
            var result = CniJson.ParseResult(body, cniVersion);
            problem = result.FindProblem()
                ?? (string.Equals(result.CniVersion, cniVersion, StringComparison.Ordinal)
                    ? null
                    : $"it is version {result.CniVersion} but the request asked for {cniVersion}");
        }
        catch (CniException e)
        {
            problem = e.Error.Details is null ? e.Error.Msg : $"{e.Error.Msg}: {e.Error.Details}";
        }

        if (problem is not null)
        {
            throw new CniException(CniErrorCode.Internal, "wincnid returned an invalid ADD result", problem);
        }
    }

    private int Fail(PluginRequest? request, byte[] stdin, CniError error)
    {
        // Errors are reported in the config's version when it is a supported one (the spec asks for cniVersion).
        var version = request?.Config.CniVersion
            ?? (PluginInvocation.PeekVersion(stdin) is { } peeked && CniVersion.IsSupported(peeked) ? peeked : CniVersion.Latest);
        var document = error.CniVersion is null ? error with { CniVersion = version } : error;
        Write(CniJson.Serialize(document));
        var summary = string.Create(
            CultureInfo.InvariantCulture,
            $"error {(int)document.Code}: {document.Msg}{(document.Details is null ? "" : $" ({document.Details})")}");
        _stderr.Value.WriteLine($"wincni: {summary}");
        _stderr.Value.Flush();
        Log(request, summary);
        return 1;
    }

    private void Write(ReadOnlySpan<byte> document)
    {
        _stdout.Write(document);
        _stdout.Flush();
    }

    /// <summary>
    /// Appends one line per invocation to the config's <c>logFile</c>. A plain append rather than a logging framework:
    /// the plugin lives for milliseconds and logs one line, and the daemon holds the detailed logs.
    /// </summary>
    private void Log(PluginRequest? request, string outcome)
    {
        if (request?.Config.LogFile is not { Length: > 0 } path)
        {
            return;
        }

        try
        {
            var line = string.Create(
                CultureInfo.InvariantCulture,
                $"{DateTimeOffset.UtcNow:O} {request.Command.ToWireName()} containerId={request.ContainerId} ifName={request.IfName} netns={request.Netns} {Stopwatch.GetElapsedTime(_started).TotalMilliseconds:0.0}ms {outcome}{Environment.NewLine}");
            File.AppendAllText(path, line);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            // A log that cannot be written must not fail the pod; say so on stderr, which the runtime keeps.
            _stderr.Value.WriteLine($"wincni: cannot write log file {path}: {e.Message}");
        }
    }
}
