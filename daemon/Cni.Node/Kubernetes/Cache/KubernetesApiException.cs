using System.Net;

namespace Cni.Node.Kubernetes.Cache;

/// <summary>The API server answered with an error status (HTTP status, or a watch ERROR event's Status).</summary>
public sealed class KubernetesApiException : Exception
{
    /// <summary>Creates the exception.</summary>
    public KubernetesApiException()
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What failed.</param>
    public KubernetesApiException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What failed.</param>
    /// <param name="innerException">The underlying error.</param>
    public KubernetesApiException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="statusCode">The HTTP status or Status.code.</param>
    /// <param name="message">What failed, with the server's message.</param>
    public KubernetesApiException(HttpStatusCode statusCode, string message)
        : base(message)
    {
        StatusCode = statusCode;
    }

    /// <summary>The HTTP status or Status.code, when known.</summary>
    public HttpStatusCode? StatusCode { get; }
}
