namespace Cni.Node.Kubernetes.Cache;

/// <summary>
/// HTTP 410 Gone: the resourceVersion (or continue token) is older than the API server's watch cache. The cache
/// relists. Thrown for a 410 response and for a watch ERROR event whose Status has code 410.
/// </summary>
public sealed class ResourceExpiredException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ResourceExpiredException()
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The server's message.</param>
    public ResourceExpiredException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The server's message.</param>
    /// <param name="innerException">The underlying error.</param>
    public ResourceExpiredException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
