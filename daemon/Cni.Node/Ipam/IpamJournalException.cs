namespace Cni.Node.Ipam;

/// <summary>
/// The lease journal cannot be read (corruption that is not a torn tail, an unknown format) or written (an I/O
/// failure). A write failure fails only the affected operations, which are rolled back; if the journal could not
/// be restored to its last good length it stays failed and the daemon should restart (recovery repairs it).
/// </summary>
public sealed class IpamJournalException : IOException
{
    /// <summary>Creates the exception.</summary>
    public IpamJournalException(string path, string message, Exception? innerException = null)
        : base($"IPAM journal '{path}': {message}", innerException)
    {
        Path = path;
    }

    /// <summary>The journal file.</summary>
    public string Path { get; }
}
