namespace Cni.Node.Kubernetes;

/// <summary>The API server cannot be reached with the given configuration; the message names the file or variable at fault.</summary>
public sealed class KubernetesAccessException : Exception
{
    /// <summary>Creates the exception.</summary>
    public KubernetesAccessException()
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What is missing or malformed.</param>
    public KubernetesAccessException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What is missing or malformed.</param>
    /// <param name="innerException">The underlying error.</param>
    public KubernetesAccessException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
