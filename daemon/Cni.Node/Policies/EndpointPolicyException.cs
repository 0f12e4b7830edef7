namespace Cni.Node.Policies;

/// <summary>An input to policy derivation is unusable; <see cref="Field"/> names it as the user wrote it.</summary>
public sealed class EndpointPolicyException : Exception
{
    /// <summary>Creates the exception.</summary>
    public EndpointPolicyException()
        : this("endpoint policy", "invalid input")
    {
    }

    /// <summary>Creates the exception.</summary>
    public EndpointPolicyException(string message)
        : this("endpoint policy", message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public EndpointPolicyException(string message, Exception innerException)
        : base(message, innerException)
    {
        Field = "endpoint policy";
    }

    /// <summary>Creates the exception for <paramref name="field"/>; the message starts with the field.</summary>
    public EndpointPolicyException(string field, string problem)
        : base($"{field}: {problem}")
    {
        Field = field;
    }

    /// <summary>The offending field, e.g. <c>runtimeConfig.portMappings[0].protocol</c>.</summary>
    public string Field { get; }
}
