using System.Diagnostics.CodeAnalysis;
using System.Runtime.InteropServices;
using System.Text.Json;
using Cni.Spec;
using Cni.Spec.Wire;

namespace Cni.Node.Pods;

/// <summary>
/// Turns a forwarded request into a <see cref="PluginRequest"/> with the same checks as the <c>wincni</c> executable
/// (<see cref="PluginInvocation.Parse(PluginEnvironment, ReadOnlyMemory{byte})"/>), so any client of the socket is
/// validated alike. VERSION and invalid requests are answered here.
/// </summary>
public static class DaemonRequestReader
{
    /// <summary>Parses <paramref name="request"/> once.</summary>
    /// <param name="request">The request as the plugin forwarded it.</param>
    /// <param name="parsed">The validated request, when there is a command to run.</param>
    /// <param name="answer">The answer, when there is none (VERSION, or the error naming what is invalid).</param>
    /// <returns>True when <paramref name="parsed"/> is set.</returns>
    public static bool TryRead(DaemonRequest request, [NotNullWhen(true)] out PluginRequest? parsed, [NotNullWhen(false)] out CniOutcome? answer)
    {
        ArgumentNullException.ThrowIfNull(request);
        parsed = null;
        answer = null;

        // The config's own UTF-8 bytes, copied once from the request body (no string round trip).
        byte[] stdin = request.Config.ValueKind == JsonValueKind.Undefined ? [] : JsonMarshal.GetRawUtf8Value(request.Config).ToArray();
        try
        {
            if (CniCommands.TryParse(request.Command, out var command) && command == CniCommand.Version)
            {
                answer = CniOutcome.Success(VersionInfo.ResponseFor(stdin));
                return false;
            }

            parsed = PluginInvocation.Parse(
                new PluginEnvironment(request.Command, request.ContainerId, request.Netns, request.IfName, request.Args, request.Path),
                stdin);
            return true;
        }
        catch (CniException ex)
        {
            answer = CniOutcome.Failure(ex.Error);
            return false;
        }
    }
}
