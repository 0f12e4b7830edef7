namespace Cni.Node.Ipam;

/// <summary>Points inside a compaction where tests observe the files, i.e. where a crash could happen.</summary>
internal enum CompactionStage
{
    /// <summary>The snapshot is fsynced in the temp file; the old journal is still the live one.</summary>
    TempFileWritten,

    /// <summary>The snapshot has replaced the journal and the directory is fsynced.</summary>
    Replaced,
}
