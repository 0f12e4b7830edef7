using System.Text.Json;

namespace Cni.Hcn.Model;

/// <summary>The <c>Health</c> member of networks and endpoints (informational; hcsshim sends <c>{"Extra":{}}</c>).</summary>
public sealed record Health
{
    /// <summary>Raw health data.</summary>
    public JsonElement? Data { get; init; }

    /// <summary>Extra parameters.</summary>
    public ExtraParams? Extra { get; init; }
}
