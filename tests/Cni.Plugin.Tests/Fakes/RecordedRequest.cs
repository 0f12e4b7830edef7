using System.Text.Json;
using Cni.Spec.Wire;

namespace Cni.Plugin.Tests.Fakes;

/// <summary>One request as the fake daemon received it: the raw body and its parsed form.</summary>
public sealed record RecordedRequest(byte[] Body, DaemonRequest Request)
{
    /// <summary>The forwarded stdin, exactly as the daemon received it.</summary>
    public string ConfigText => Request.Config.GetRawText();

    public JsonElement Config => Request.Config;
}
