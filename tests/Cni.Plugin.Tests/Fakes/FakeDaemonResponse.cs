namespace Cni.Plugin.Tests.Fakes;

/// <summary>What the fake daemon answers: a status, a body and an optional delay before answering.</summary>
public sealed record FakeDaemonResponse(int StatusCode, string Body, TimeSpan Delay = default)
{
    public static FakeDaemonResponse Ok(string body = "") => new(200, body);
}
