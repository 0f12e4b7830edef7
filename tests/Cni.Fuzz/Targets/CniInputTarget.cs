using System.Text;
using Cni.Spec;

namespace Cni.Fuzz.Targets;

/// <summary>
/// The CNI input path of <c>wincni</c>: the CNI_* environment and the network configuration on stdin, through
/// <see cref="PluginInvocation.Parse(Func{string, string?}, ReadOnlyMemory{byte})"/> (and <see cref="VersionInfo"/>
/// for VERSION), then the error document the plugin would print.
/// </summary>
/// <remarks>
/// Input: <c>KEY=VALUE</c> lines for the environment, a NUL byte, then stdin. Without a NUL the whole input is stdin
/// and the environment is a valid ADD, so the corpus can hold plain network configurations. A finding is any
/// exception other than <see cref="CniException"/>, and a <see cref="CniException"/> from the parser's catch-all
/// ("internal error validating the request": a bug the parser did not anticipate), or an error without a message.
/// </remarks>
internal sealed class CniInputTarget : IFuzzTarget
{
    private static readonly Dictionary<string, string> ValidAdd = new(StringComparer.Ordinal)
    {
        ["CNI_COMMAND"] = "ADD",
        ["CNI_CONTAINERID"] = "fuzz0123456789",
        ["CNI_NETNS"] = "/var/run/netns/fuzz",
        ["CNI_IFNAME"] = "eth0",
        ["CNI_PATH"] = "/opt/cni/bin",
        ["CNI_ARGS"] = "IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME=fuzz",
    };

    public string Name => "cni-input";

    public string Description => "wincni's CNI_* environment + stdin validation (Cni.Spec PluginInvocation, VersionInfo)";

    public void Run(ReadOnlySpan<byte> input)
    {
        var separator = input.IndexOf((byte)0);
        var environment = separator < 0 ? ValidAdd : ParseEnvironment(input[..separator]);
        var stdin = (separator < 0 ? input : input[(separator + 1)..]).ToArray();

        if (environment.TryGetValue("CNI_COMMAND", out var command) && string.Equals(command, "VERSION", StringComparison.OrdinalIgnoreCase))
        {
            var answer = VersionInfo.ResponseFor(stdin);
            if (answer.Length == 0)
            {
                throw new FuzzFindingException("VERSION answered nothing");
            }

            return;
        }

        try
        {
            PluginInvocation.Parse(name => environment.GetValueOrDefault(name), stdin);
        }
        catch (CniException e)
        {
            if (e.Error.Code == CniErrorCode.Internal && e.Error.Msg.StartsWith("internal error", StringComparison.Ordinal))
            {
                throw new FuzzFindingException($"the parser's catch-all answered: {e.Error.Msg} ({e.Error.Details})", e.InnerException ?? e);
            }

            if (string.IsNullOrWhiteSpace(e.Error.Msg))
            {
                throw new FuzzFindingException($"error {(int)e.Error.Code} without a message");
            }

            // What wincni prints: it must serialize whatever the input was.
            _ = CniJson.Serialize(e.Error);
        }
    }

    private static Dictionary<string, string> ParseEnvironment(ReadOnlySpan<byte> block)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in Encoding.UTF8.GetString(block).Split('\n'))
        {
            var equals = line.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0)
            {
                environment[line[..equals]] = line[(equals + 1)..];
            }
        }

        return environment;
    }
}
