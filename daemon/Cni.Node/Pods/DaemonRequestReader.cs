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
    /// <summary>The network config <c>type</c> wincnid serves: the plugin binary's name, as runtimes resolve it.</summary>
    public const string PluginType = "wincni";

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
            if (!string.Equals(parsed.Config.Type, PluginType, StringComparison.Ordinal))
            {
                // A runtime runs the binary a config's type names, so another plugin's config reached wincnid by
                // mistake (a copied conflist, a renamed binary); serving it would act on wincni's leases under a
                // config nobody meant for them.
                var (type, version) = (parsed.Config.Type, parsed.CniVersion);
                parsed = null;
                throw new CniException(
                    CniErrorCode.InvalidNetworkConfig,
                    $"type: '{type}' is another plugin's; wincnid serves only network configs with \"type\": \"{PluginType}\"",
                    "nothing was changed; fix the conflist entry (or install the plugin it names)").WithVersion(version);
            }

            return true;
        }
        catch (CniException ex)
        {
            answer = CniOutcome.Failure(ex.Error);
            return false;
        }
    }
}
