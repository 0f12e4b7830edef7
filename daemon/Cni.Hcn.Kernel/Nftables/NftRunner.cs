using System.Diagnostics;
using System.Text;

namespace Cni.Hcn.Kernel.Nftables;

/// <summary>
/// Applies nftables batches with one <c>nft -f -</c> process per batch (never per rule). A batch replaces whole tables
/// atomically: <c>table ip T</c> (create if absent), <c>delete table ip T</c>, then the new text; the kernel commits
/// the whole batch or nothing. When a host namespace path is set, nft runs inside it through nsenter.
/// </summary>
internal sealed class NftRunner
{
    private readonly string _nft;
    private readonly string? _nsenter;
    private readonly string? _netnsPath;
    private int _batches;

    public NftRunner(string nft, string? nsenter, string? netnsPath)
    {
        _nft = nft;
        _nsenter = nsenter;
        _netnsPath = netnsPath;
    }

    /// <summary>The batch that makes <paramref name="tables"/> exactly as given (null text deletes the table).</summary>
    public static string BuildBatch(IReadOnlyDictionary<string, string?> tables)
    {
        ArgumentNullException.ThrowIfNull(tables);
        var batch = new StringBuilder();
        foreach (var (name, text) in tables.OrderBy(t => t.Key, StringComparer.Ordinal))
        {
            batch.Append("table ip ").Append(name).Append('\n');
            batch.Append("delete table ip ").Append(name).Append('\n');
            if (text is not null)
            {
                batch.Append(text);
            }
        }

        return batch.ToString();
    }

    /// <summary>Runs nft with <paramref name="arguments"/> and <paramref name="stdin"/>; returns stdout or throws with stderr.</summary>
    public async Task<string> RunAsync(string arguments, string? stdin, CancellationToken cancellationToken)
    {
        var info = _netnsPath is null
            ? new ProcessStartInfo(_nft)
            : new ProcessStartInfo(_nsenter ?? "nsenter") { ArgumentList = { "--net=" + _netnsPath, _nft } };
        foreach (var argument in arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            info.ArgumentList.Add(argument);
        }

        info.RedirectStandardInput = true;
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        info.UseShellExecute = false;
        Process process;
        try
        {
            process = Process.Start(info) ?? throw new NftException($"could not start {info.FileName}", stdin);
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new NftException($"could not start {info.FileName} (is nftables installed?): {ex.Message}", ex);
        }

        using var started = process;
        await process.StandardInput.WriteAsync(stdin ?? string.Empty).ConfigureAwait(false);
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
        var stdout = await output.ConfigureAwait(false);
        var stderr = await error.ConfigureAwait(false);
        if (process.ExitCode != 0)
        {
            throw new NftException($"nft {arguments} exited with {process.ExitCode}: {stderr.Trim()}", stdin);
        }

        return stdout;
    }

    /// <summary>How many batches <see cref="ApplyAsync"/> has started (each one nft process).</summary>
    public int Batches => Volatile.Read(ref _batches);

    /// <summary>Applies a batch atomically.</summary>
    public Task ApplyAsync(string batch, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _batches);
        return RunAsync("-f -", batch, cancellationToken);
    }

    /// <summary>The names of the <c>ip</c> tables starting with <paramref name="prefix"/>.</summary>
    public async Task<List<string>> ListTablesAsync(string prefix, CancellationToken cancellationToken)
    {
        var output = await RunAsync("list tables ip", null, cancellationToken).ConfigureAwait(false);
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(p => p.Length == 3 && p[0] == "table" && p[1] == "ip" && p[2].StartsWith(prefix, StringComparison.Ordinal))
            .Select(p => p[2]).ToList();
    }
}
