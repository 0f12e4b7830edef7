using System.Text;

namespace Cni.Spec.Tests.Support;

/// <summary>The reference's notation: E is the base environment, C11 the minimal 1.1.0 request.</summary>
internal static class TestEnv
{
    public const string C11 = """{"cniVersion":"1.1.0","name":"dbnet","type":"x"}""";

    /// <summary>E plus CNI_COMMAND.</summary>
    public static Dictionary<string, string?> E(string command) => new(StringComparer.Ordinal)
    {
        ["CNI_COMMAND"] = command,
        ["CNI_CONTAINERID"] = "abc123",
        ["CNI_NETNS"] = "/var/run/netns/cni-1234",
        ["CNI_IFNAME"] = "eth0",
        ["CNI_PATH"] = "/opt/cni/bin",
    };

    public static Dictionary<string, string?> Only(params (string Key, string? Value)[] vars)
    {
        var env = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var (k, v) in vars)
        {
            env[k] = v;
        }

        return env;
    }

    public static Dictionary<string, string?> With(this Dictionary<string, string?> env, string key, string? value)
    {
        var copy = new Dictionary<string, string?>(env, StringComparer.Ordinal) { [key] = value };
        return copy;
    }

    public static Dictionary<string, string?> Without(this Dictionary<string, string?> env, string key)
    {
        var copy = new Dictionary<string, string?>(env, StringComparer.Ordinal);
        copy.Remove(key);
        return copy;
    }

    public static Func<string, string?> Getenv(this IReadOnlyDictionary<string, string?> env) =>
        name => env.TryGetValue(name, out var v) ? v : null;

    public static ReadOnlyMemory<byte> Bytes(string s) => Encoding.UTF8.GetBytes(s);

    /// <summary>C11 with another cniVersion.</summary>
    public static string C11With(string version) =>
        "{\"cniVersion\":\"" + version + "\",\"name\":\"dbnet\",\"type\":\"x\"}";

    /// <summary>C11 plus extra members (a JSON fragment without braces).</summary>
    public static string C11Plus(string members, string version = "1.1.0") =>
        "{\"cniVersion\":\"" + version + "\",\"name\":\"dbnet\",\"type\":\"x\"," + members + "}";

    public static PluginRequest Parse(Dictionary<string, string?> env, string stdin) =>
        PluginInvocation.Parse(env.Getenv(), Bytes(stdin));

    public static CniException ParseFails(Dictionary<string, string?> env, string stdin)
    {
        try
        {
            PluginInvocation.Parse(env.Getenv(), Bytes(stdin));
        }
        catch (CniException e)
        {
            return e;
        }

        throw new AssertionException("expected a CniException");
    }
}
