namespace Cni.Plugin.Transport;

/// <summary>What the daemon answered: the HTTP status and the body, which is already in CNI terms.</summary>
internal sealed record DaemonResponse(int StatusCode, byte[] Body)
{
    public bool IsSuccess => StatusCode is >= 200 and < 300;
}
