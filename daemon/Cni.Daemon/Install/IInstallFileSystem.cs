namespace Cni.Daemon.Install;

/// <summary>The file operations the installer needs; the seam through which the Windows rename-aside path is tested on Linux.</summary>
public interface IInstallFileSystem
{
    bool FileExists(string path);

    byte[]? ReadAllBytesOrNull(string path);

    /// <summary>Creates <paramref name="path"/> with <paramref name="content"/> and flushes it to disk before returning
    /// (a rename of an unflushed file can leave an empty file after a power loss).</summary>
    void WriteDurable(string path, byte[] content, bool executable);

    /// <summary>Renames <paramref name="source"/> to <paramref name="destination"/>, replacing it when it exists (rename(2) /
    /// MoveFileEx with MOVEFILE_REPLACE_EXISTING). Throws <see cref="UnauthorizedAccessException"/> or
    /// <see cref="IOException"/> when Windows refuses to replace a running image.</summary>
    void Replace(string source, string destination);

    /// <summary>Renames <paramref name="source"/> to a <paramref name="destination"/> that does not exist.</summary>
    void Move(string source, string destination);

    /// <summary>Deletes <paramref name="path"/>; false when it cannot be deleted now (a running image on Windows).</summary>
    bool TryDelete(string path);

    void CreateDirectory(string path);

    IEnumerable<string> FileNamesIn(string directory);
}
