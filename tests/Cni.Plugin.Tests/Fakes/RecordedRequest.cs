using System.Text.Json;
using Cni.Spec.Wire;

namespace Cni.Plugin.Tests.Fakes;

/// <summary>One request as the fake daemon received it: the raw body, its parsed form and the plugin's remaining time.</summary>
public sealed record RecordedRequest(byte[] Body, DaemonRequest Request, string? TimeoutHeader = null)
{
    /// <summary>The forwarded stdin, exactly as the daemon received it.</summary>
    public string ConfigText => Request.Config.GetRawText();

    public JsonElement Config => Request.Config;
}
