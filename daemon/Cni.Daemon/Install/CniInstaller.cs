using System.Text;

namespace Cni.Daemon.Install;

/// <summary>
/// Places <c>wincni(.exe)</c> and the conflist in a node's CNI directories, as the DaemonSet's init container (and the
/// local cluster) runs it. Every file is written beside its target, flushed, then renamed over it, so a runtime exec'ing
/// the plugin or reading the conflist mid-upgrade sees the old file or the new one, never a partial one (Calico's
/// install-cni and flannel's CopyFileAtomic do the same). On Windows a running wincni.exe cannot be replaced: it is
/// renamed aside first and deleted once no longer running (Azure/azure-container-networking#2205). Identical files are
/// left alone, so a re-run changes nothing; <see cref="Uninstall"/> removes only what the record says it placed.
/// </summary>
public sealed class CniInstaller(IInstallFileSystem files, InstallPaths paths, TextWriter output, int processId)
{
    /// <summary>Installs; returns the files written (unchanged ones excluded).</summary>
    /// <exception cref="InstallException">The source plugin is missing or a file cannot be placed; the message names it.</exception>
    public IReadOnlyList<string> Install(CniInstallRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var source = paths.Combine(request.SourceDir, paths.PluginFileName);
        var plugin = files.ReadAllBytesOrNull(source)
            ?? throw new InstallException($"--source-dir: {request.SourceDir} has no {paths.PluginFileName} to install");
        var pluginTarget = paths.Combine(request.BinDir, paths.PluginFileName);
        var conflistTarget = paths.Combine(request.ConfDir, request.ConflistName);
        var conflist = Encoding.UTF8.GetBytes(request.Conflist);
        var recordPath = paths.Combine(request.BinDir, InstallPaths.RecordFileName);

        CreateDirectory(request.BinDir, "--cni-bin-dir");
        CreateDirectory(request.ConfDir, "--cni-conf-dir");
        RemoveLeftovers(pluginTarget);
        RemoveLeftovers(conflistTarget);

        var written = new List<string>();
        if (Place(pluginTarget, plugin, executable: true)) written.Add(pluginTarget);
        if (Place(conflistTarget, conflist, executable: false)) written.Add(conflistTarget);

        // A previous install with another conflist name placed a file this one does not: it stays recorded, so an
        // uninstall still finds it.
        var previous = ReadRecord(recordPath).Entries.Where(e => e.Path != pluginTarget && e.Path != conflistTarget && files.FileExists(e.Path));
        var record = new InstallRecord([
            new InstallRecordEntry(pluginTarget, InstallRecord.Hash(plugin)),
            new InstallRecordEntry(conflistTarget, InstallRecord.Hash(conflist)),
            .. previous,
        ]);
        Place(recordPath, Encoding.UTF8.GetBytes(record.Format()), executable: false, quiet: true);
        return written;
    }

    /// <summary>Removes what the record says was placed, when unchanged since; returns the files removed.</summary>
    public IReadOnlyList<string> Uninstall(CniInstallRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var recordPath = paths.Combine(request.BinDir, InstallPaths.RecordFileName);
        var record = ReadRecord(recordPath);
        if (record.Entries.Count == 0)
        {
            output.WriteLine($"nothing to remove: no {recordPath}");
            return [];
        }

        var removed = new List<string>();
        foreach (var entry in record.Entries)
        {
            var content = files.ReadAllBytesOrNull(entry.Path);
            if (content is null)
            {
                output.WriteLine($"already gone {entry.Path}");
            }
            else if (InstallRecord.Hash(content) != entry.Sha256)
            {
                output.WriteLine($"left {entry.Path}: changed since wincni placed it");
            }
            else
            {
                Remove(entry.Path);
                removed.Add(entry.Path);
                output.WriteLine($"removed {entry.Path}");
            }

            RemoveLeftovers(entry.Path);
        }

        files.TryDelete(recordPath);
        return removed;
    }

    private InstallRecord ReadRecord(string recordPath) =>
        files.ReadAllBytesOrNull(recordPath) is { } bytes ? InstallRecord.Parse(Encoding.UTF8.GetString(bytes)) : new InstallRecord([]);

    private void CreateDirectory(string directory, string option)
    {
        try
        {
            files.CreateDirectory(directory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InstallException($"{option}: cannot create {directory}: {e.Message}", e);
        }
    }

    /// <summary>Writes <paramref name="target"/> atomically unless it already has <paramref name="content"/>.</summary>
    private bool Place(string target, byte[] content, bool executable, bool quiet = false)
    {
        if (files.ReadAllBytesOrNull(target) is { } existing && existing.AsSpan().SequenceEqual(content))
        {
            if (!quiet) output.WriteLine($"unchanged {target}");
            return false;
        }

        var staged = paths.StagingPath(target, processId);
        try
        {
            files.TryDelete(staged);
            files.WriteDurable(staged, content, executable);
            try
            {
                files.Replace(staged, target);
            }
            catch (Exception e) when (paths.Windows && e is UnauthorizedAccessException or IOException && files.FileExists(target))
            {
                // A running image: rename it aside (allowed), then move the new file into the freed name.
                var aside = paths.AsidePath(target, files.FileExists);
                files.Move(target, aside);
                files.Move(staged, target);
                files.TryDelete(aside);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            files.TryDelete(staged);
            throw new InstallException($"cannot place {target}: {e.Message}", e);
        }

        if (!quiet) output.WriteLine($"installed {target}");
        return true;
    }

    private void Remove(string path)
    {
        if (files.TryDelete(path)) return;
        if (paths.Windows)
        {
            // Still running: rename it aside so the name is free; the next install or uninstall deletes it.
            files.Move(path, paths.AsidePath(path, files.FileExists));
            return;
        }

        throw new InstallException($"cannot remove {path}");
    }

    private void RemoveLeftovers(string target)
    {
        var name = paths.FileNameOf(target);
        var directory = paths.DirectoryOf(target);
        foreach (var file in files.FileNamesIn(directory).Where(f => InstallPaths.IsLeftoverOf(f, name)).ToList())
        {
            files.TryDelete(paths.Combine(directory, file));
        }
    }
}
