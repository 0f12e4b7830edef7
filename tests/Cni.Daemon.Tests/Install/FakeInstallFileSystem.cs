using Cni.Daemon.Install;

namespace Cni.Daemon.Tests.Install;

/// <summary>An in-memory file system that behaves as Windows does with a running image: it cannot be replaced or
/// deleted, only renamed.</summary>
internal sealed class FakeInstallFileSystem : IInstallFileSystem
{
    public Dictionary<string, byte[]> Files { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Paths of running images (follow the file when it is renamed).</summary>
    public HashSet<string> Running { get; } = new(StringComparer.OrdinalIgnoreCase);

    public List<string> Operations { get; } = [];

    public bool FileExists(string path) => Files.ContainsKey(path);

    public byte[]? ReadAllBytesOrNull(string path) => Files.GetValueOrDefault(path);

    public void WriteDurable(string path, byte[] content, bool executable)
    {
        if (Files.ContainsKey(path)) throw new IOException($"{path} exists");
        Files[path] = content;
        Operations.Add($"write {path}");
    }

    public void Replace(string source, string destination)
    {
        if (Running.Contains(destination)) throw new UnauthorizedAccessException($"Access to the path '{destination}' is denied.");
        Files[destination] = Files[source];
        Files.Remove(source);
        Operations.Add($"replace {source} -> {destination}");
    }

    public void Move(string source, string destination)
    {
        if (Files.ContainsKey(destination)) throw new IOException($"{destination} exists");
        Files[destination] = Files[source];
        Files.Remove(source);
        if (Running.Remove(source)) Running.Add(destination);
        Operations.Add($"move {source} -> {destination}");
    }

    public bool TryDelete(string path)
    {
        if (Running.Contains(path)) return false;
        if (Files.Remove(path)) Operations.Add($"delete {path}");
        return true;
    }

    public void CreateDirectory(string path)
    {
    }

    public IEnumerable<string> FileNamesIn(string directory) =>
        Files.Keys.Where(p => p.StartsWith(directory + "\\", StringComparison.OrdinalIgnoreCase) && p.LastIndexOf('\\') == directory.Length).Select(p => p[(directory.Length + 1)..]);
}
