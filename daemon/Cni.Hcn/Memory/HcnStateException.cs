namespace Cni.Hcn.Memory;

/// <summary>
/// Persisted HCN objects cannot be loaded (a corrupt snapshot or log line, an object that cannot be re-created). The
/// message names the file and how to fix it; hosts translate it into their own startup error.
/// </summary>
public sealed class HcnStateException : Exception
{
    public HcnStateException()
    {
    }

    public HcnStateException(string message)
        : base(message)
    {
    }

    public HcnStateException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
