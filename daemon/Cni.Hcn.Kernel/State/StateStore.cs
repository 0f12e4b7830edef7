using System.Text;

namespace Cni.Hcn.Kernel.State;

/// <summary>
/// The persisted HCN objects: one JSON file per object under <c>&lt;state&gt;/&lt;kind&gt;/&lt;id&gt;.json</c>, written
/// atomically (temp file + rename) and only when its text changed, and removed when the object is gone.
/// </summary>
internal sealed class StateStore
{
    private readonly string _root;
    private readonly Dictionary<string, string> _written = new(StringComparer.Ordinal);

    public StateStore(string root)
    {
        _root = Path.GetFullPath(root);
        Directory.CreateDirectory(_root);
    }

    /// <summary>Reads every file of a kind as (id, text); unreadable names are skipped.</summary>
    public List<(Guid Id, string Json)> Load(string kind)
    {
        var directory = Path.Combine(_root, kind);
        var result = new List<(Guid, string)>();
        if (!Directory.Exists(directory))
        {
            return result;
        }

        foreach (var file in Directory.GetFiles(directory, "*.json"))
        {
            if (Guid.TryParse(Path.GetFileNameWithoutExtension(file), out var id))
            {
                var text = File.ReadAllText(file, Encoding.UTF8);
                _written[file] = text;
                result.Add((id, text));
            }
        }

        return result;
    }

    /// <summary>Writes one object's file, unless it already has this text.</summary>
    public void Write(string kind, Guid id, string json)
    {
        var directory = Path.Combine(_root, kind);
        Directory.CreateDirectory(directory);
        WriteFile(Path.Combine(directory, id.ToString("D") + ".json"), json);
    }

    /// <summary>Removes one object's file, if there is one.</summary>
    public void Delete(string kind, Guid id)
    {
        var file = Path.Combine(_root, kind, id.ToString("D") + ".json");
        File.Delete(file);
        _written.Remove(file);
    }

    /// <summary>Makes the files of <paramref name="kind"/> exactly <paramref name="objects"/> (id → JSON).</summary>
    public void Sync(string kind, IReadOnlyDictionary<Guid, string> objects)
    {
        var directory = Path.Combine(_root, kind);
        Directory.CreateDirectory(directory);
        foreach (var (id, json) in objects)
        {
            WriteFile(Path.Combine(directory, id.ToString("D") + ".json"), json);
        }

        foreach (var file in Directory.GetFiles(directory, "*.json"))
        {
            if (!Guid.TryParse(Path.GetFileNameWithoutExtension(file), out var id) || !objects.ContainsKey(id))
            {
                File.Delete(file);
                _written.Remove(file);
            }
        }
    }

    private void WriteFile(string file, string json)
    {
        if (_written.TryGetValue(file, out var previous) && string.Equals(previous, json, StringComparison.Ordinal))
        {
            return;
        }

        var temp = file + ".tmp";
        File.WriteAllText(temp, json, Encoding.UTF8);
        File.Move(temp, file, overwrite: true);
        _written[file] = json;
    }
}
