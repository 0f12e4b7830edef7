using System.Text;
using Cni.Daemon.Configuration;

namespace Cni.Fuzz.Targets;

/// <summary>
/// wincnid's node config loader (<see cref="NodeConfigLoader.Parse"/>): YAML or JSON text in, options or a
/// <see cref="NodeConfigException"/> listing the problems out. Any other exception, or a refusal without a problem
/// named, is a finding (wincnid would end in a stack trace instead of one line and exit code 2).
/// </summary>
internal sealed class NodeConfigTarget : IFuzzTarget
{
    public string Name => "node-config";

    public string Description => "wincnid's node config loader (Cni.Daemon NodeConfigLoader.Parse)";

    public void Run(ReadOnlySpan<byte> input)
    {
        var text = Encoding.UTF8.GetString(input);
        try
        {
            NodeConfigLoader.Parse(text, "fuzz.yaml");
        }
        catch (NodeConfigException e)
        {
            if (e.Problems.Count == 0 || e.Problems.Any(string.IsNullOrWhiteSpace))
            {
                throw new FuzzFindingException("a config refused without a problem named: " + e.Message);
            }
        }
    }
}
