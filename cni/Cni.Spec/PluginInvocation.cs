using System.Text.Json;

namespace Cni.Spec;

/// <summary>
/// Turns the environment and stdin of a non-VERSION invocation into a <see cref="PluginRequest"/>, validating all of
/// it before anything changes. The order follows the reference library so every vector gets the reference's code:
/// <list type="number">
/// <item>CNI_COMMAND present and known (4)</item>
/// <item>the variables the command requires, all named at once (4)</item>
/// <item>stdin is a JSON object (6) with a valid name (7)</item>
/// <item>cniVersion: command gate, then support (1)</item>
/// <item>CNI_CONTAINERID characters and CNI_IFNAME shape for ADD/DEL/CHECK (4)</item>
/// <item>CNI_ARGS (4)</item>
/// <item>the rest of the config: prevResult in its own version, runtimeConfig, GC lists (6 / 7); on DEL an
/// unusable prevResult is dropped (see <see cref="NetworkConfig.PrevResultError"/>), since DEL must not get stuck</item>
/// </list>
/// </summary>
public static class PluginInvocation
{
    /// <summary>
    /// Validates env + stdin for a non-VERSION command. Throws <see cref="CniException"/> (spec code, msg naming the
    /// field or variable) on any problem and never any other exception type, whatever the input.
    /// </summary>
    public static PluginRequest Parse(Func<string, string?> getEnvironmentVariable, ReadOnlyMemory<byte> stdin)
    {
        ArgumentNullException.ThrowIfNull(getEnvironmentVariable);
        return Parse(PluginEnvironment.Read(getEnvironmentVariable), stdin);
    }

    /// <summary>
    /// Validates the CNI_* values and stdin of a non-VERSION command; the same checks and errors as the overload
    /// reading the process environment.
    /// </summary>
    public static PluginRequest Parse(PluginEnvironment environment, ReadOnlyMemory<byte> stdin)
    {
        // Until the header is read, errors are reported in whatever version stdin names (when supported).
        var version = PeekVersion(stdin.Span);
        try
        {
            return ParseCore(environment, stdin, ref version);
        }
        catch (CniException e)
        {
            // Errors carry cniVersion (the spec asks for it): the request's when it is a supported one, else the latest.
            throw e.WithVersion(CniVersion.IsSupported(version) ? version : CniVersion.Latest);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // The contract is "only CniException escapes": a bug in a parser must still reach the runtime as a CNI
            // error document (999, details naming the failure) rather than as a crash with nothing on stdout.
            throw new CniException(
                CniError.Create(
                    CniErrorCode.Internal,
                    "internal error validating the request",
                    e.GetType().Name + ": " + e.Message,
                    CniVersion.IsSupported(version) ? version : CniVersion.Latest),
                e);
        }
    }

    private static PluginRequest ParseCore(PluginEnvironment environment, ReadOnlyMemory<byte> stdin, ref string? version)
    {
        var command = CniCommands.Parse(environment.Command);
        if (command == CniCommand.Version)
        {
            throw new CniException(
                CniErrorCode.Internal,
                "VERSION is answered by VersionInfo.ResponseFor, not by PluginInvocation.Parse");
        }

        CniEnvironment.EnsureRequired(command, environment.ValueOf);

        using var document = CniJson.ParseDocument(stdin, "network config");
        var root = document.RootElement;
        version = NetworkConfigParser.ReadHeader(root);
        CniVersion.EnsureCommandAllowed(command, version);

        var carriesAttachment = command is CniCommand.Add or CniCommand.Del or CniCommand.Check;
        var containerId = carriesAttachment ? environment.ContainerId ?? "" : "";
        var ifName = carriesAttachment ? environment.IfName ?? "" : "";
        var netns = carriesAttachment ? environment.Netns ?? "" : "";
        if (carriesAttachment)
        {
            CniNames.ValidateContainerId(containerId);
            CniNames.ValidateInterfaceName(ifName);
        }

        var argsRaw = environment.Args ?? "";
        var args = CniArgs.Parse(argsRaw);

        var config = NetworkConfigParser.ReadBody(root, version, stdin, lenientPrevResult: command == CniCommand.Del);
        if (command == CniCommand.Check && config.PrevResult is null)
        {
            throw new CniException(CniErrorCode.InvalidNetworkConfig, "prevResult: required for CHECK", "CHECK compares the system against the ADD result in prevResult");
        }

        return new PluginRequest(command, containerId, netns, ifName, argsRaw, args, environment.Path ?? "", config);
    }

    /// <summary>
    /// Reads the config's top-level cniVersion without validating anything else (VERSION's answer, and errors reported
    /// in the right version). A reader rather than a document: only one key matters. Null for garbage or no version.
    /// </summary>
    public static string? PeekVersion(ReadOnlySpan<byte> stdin)
    {
        if (stdin.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            stdin = stdin[3..];
        }

        try
        {
            var reader = new Utf8JsonReader(stdin, new JsonReaderOptions { MaxDepth = 64 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return null;
            }

            string? found = null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isVersion = reader.ValueTextEquals("cniVersion"u8);
                if (!reader.Read())
                {
                    return null;
                }

                if (isVersion && reader.TokenType == JsonTokenType.String)
                {
                    found = reader.GetString();
                }
                else
                {
                    reader.Skip();
                }
            }

            return found;
        }
        catch (JsonException)
        {
            return null;
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }
}
