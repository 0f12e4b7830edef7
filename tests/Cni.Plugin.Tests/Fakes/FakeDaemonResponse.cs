namespace Cni.Plugin.Tests.Fakes;

/// <summary>
/// What the fake daemon answers: a status, a body and an optional delay before answering; or, with
/// <see cref="Drop"/>, no answer at all (the connection is cut, as when wincnid is killed mid-request).
/// </summary>
public sealed record FakeDaemonResponse(int StatusCode, string Body, TimeSpan Delay = default)
{
    /// <summary>The connection is aborted instead of answered.</summary>
    public static FakeDaemonResponse Drop { get; } = new(0, "");

    public static FakeDaemonResponse Ok(string body = "") => new(200, body);
}
