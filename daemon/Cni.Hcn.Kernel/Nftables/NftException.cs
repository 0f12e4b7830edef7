namespace Cni.Hcn.Kernel.Nftables;

/// <summary>nft refused a batch (the message carries nft's own error, which points at the offending line).</summary>
public sealed class NftException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">nft's complaint.</param>
    /// <param name="batch">The batch that was refused.</param>
    public NftException(string message, string? batch)
        : base(message)
    {
        Batch = batch;
    }

    /// <summary>Creates the exception.</summary>
    public NftException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public NftException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public NftException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The refused batch, if any.</summary>
    public string? Batch { get; }
}
