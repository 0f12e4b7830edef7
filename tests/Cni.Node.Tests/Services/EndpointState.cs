namespace Cni.Node.Tests.Services;

/// <summary>The endpoint condition combinations the tests use.</summary>
public enum EndpointState
{
    Ready,
    ServingTerminating,
    NotServingTerminating,
    NotReady,

    /// <summary>No conditions at all: the API defaults apply (ready, serving, not terminating).</summary>
    Unset,
}
