using System.Buffers;
using System.Diagnostics;
using System.Text;
using Cni.Hcn.Kernel.Interop;

namespace Cni.Hcn.Kernel.Nftables;

/// <summary>
/// Applies nftables batches atomically (the kernel commits the whole batch or nothing), never per rule: in-process
/// through libnftables (<see cref="NftContext"/>, one context kept open in the host namespace) when a library path is
/// given, otherwise with one <c>nft -f -</c> process per batch (through nsenter when a host namespace path is set).
/// A batch replaces whole tables with <c>table ip T</c> (create if absent), <c>delete table ip T</c>, then the new text.
/// </summary>
internal sealed class NftRunner : IDisposable
{
    /// <summary>
    /// Batches longer than this run on a libnftables context of their own, freed right after: the kept context would
    /// otherwise hold the parsed objects in its cache and free them on the next transaction (~150 ms after a
    /// 100,000-element load), which would be a small load-balancer change's latency.
    /// </summary>
    private const int OneOffContextThreshold = 1 << 20;

    /// <summary>The largest element batch sent as one netlink datagram (larger ones go as text).</summary>
    private const int MaxElementBatchBytes = 4 << 20;
    private const int MaxKeptElementBuffer = 1 << 20;

    private readonly string _nft;
    private readonly string? _nsenter;
    private readonly string? _netnsPath;
    private readonly string? _library;
    private readonly Lock _lock = new();
    private Libnftables? _loaded;
    private NftContext? _context;
    private Netlink.NetlinkSocket? _elements;
    private ArrayBufferWriter<byte> _elementBuffer = new(64 * 1024);
    private int _batches;

    /// <summary>Creates a runner; nothing is loaded or started until the first batch.</summary>
    /// <param name="nft">The nft executable, used when <paramref name="library"/> is null.</param>
    /// <param name="nsenter">The nsenter executable, used with the executable inside <paramref name="netnsPath"/>.</param>
    /// <param name="netnsPath">The namespace to work in; null for the process's own.</param>
    /// <param name="library">libnftables to run batches in-process; null to exec <paramref name="nft"/> instead.</param>
    public NftRunner(string nft, string? nsenter, string? netnsPath, string? library = null)
    {
        _nft = nft;
        _nsenter = nsenter;
        _netnsPath = netnsPath;
        _library = library;
    }

    /// <summary>Whether batches run in-process (libnftables) rather than through the nft executable.</summary>
    public bool InProcess => _library is not null;

    /// <summary>The batch that makes <paramref name="tables"/> exactly as given (null text deletes the table).</summary>
    /// <param name="tables">Texts by table key: the name of an <c>ip</c> table, <c>ip6 &lt;name&gt;</c> for an IPv6 one (<see cref="NftFamily.Qualify"/>).</param>
    public static string BuildBatch(IReadOnlyDictionary<string, string?> tables)
    {
        ArgumentNullException.ThrowIfNull(tables);
        var batch = new StringBuilder();
        foreach (var (key, text) in tables.OrderBy(t => t.Key, StringComparer.Ordinal))
        {
            var (family, name) = NftFamily.Split(key);
            batch.Append("table ").Append(family.Name).Append(' ').Append(name).Append('\n');
            batch.Append("delete table ").Append(family.Name).Append(' ').Append(name).Append('\n');
            if (text is not null)
            {
                batch.Append(text);
            }
        }

        return batch.ToString();
    }

    /// <summary>
    /// Runs nft with <paramref name="arguments"/> (<c>-f -</c> for the text in <paramref name="stdin"/>, or a command
    /// such as <c>list tables ip</c>); returns what it printed or throws with its errors.
    /// </summary>
    public async Task<string> RunAsync(string arguments, string? stdin, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        if (_library is not null)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var commands = string.Equals(arguments.Trim(), "-f -", StringComparison.Ordinal) ? stdin ?? string.Empty : arguments;
            if (commands.Length > OneOffContextThreshold)
            {
                using var oneOff = NftContext.Open(Library(), _netnsPath);
                return oneOff.Run(commands);
            }

            return Context().Run(commands);
        }

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

    /// <summary>How many batches <see cref="ApplyAsync"/> has started (each one transaction).</summary>
    public int Batches => Volatile.Read(ref _batches);

    /// <summary>
    /// Applies set element changes to <paramref name="table"/> (family ip) as one nf_tables transaction sent over
    /// netlink (<see cref="NftElementBatch"/>), with no nft text to parse; false, with nothing sent, when the batch
    /// would be larger than one datagram may be (the caller then sends text).
    /// </summary>
    /// <exception cref="NftException">The kernel refused the transaction (nothing of it applies), naming the set and errno.</exception>
    public bool TryApplyElements(string table, IReadOnlyCollection<NftElement> delete, IReadOnlyCollection<NftElement> add)
    {
        ArgumentNullException.ThrowIfNull(delete);
        ArgumentNullException.ThrowIfNull(add);
        return TryApplyElements([new NftElementBatch.Part(NftFamily.Ip, table, delete, add)], delete.Count + add.Count, wide: false);
    }

    /// <summary>
    /// Applies the element changes of several tables (the ip and ip6 services tables) as one nf_tables transaction over
    /// netlink; false, with nothing sent, when the batch would be larger than one datagram may be.
    /// </summary>
    /// <exception cref="NftException">The kernel refused the transaction (nothing of it applies), naming the set and errno.</exception>
    public bool TryApplyElements(IReadOnlyList<NftElementBatch.Part> parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        var count = parts.Sum(p => p.Delete.Count() + p.Add.Count());
        return TryApplyElements(parts, count, wide: parts.Any(p => p.Family == NftFamily.Ip6));
    }

    private bool TryApplyElements(IReadOnlyList<NftElementBatch.Part> parts, int count, bool wide)
    {
        // At most 44 bytes per element (72 with IPv6 addresses) plus a header per set and message: a bound, not a measurement.
        if ((long)count * (wide ? 76 : 48) + 64 * 1024 > MaxElementBatchBytes)
        {
            return false;
        }

        Interlocked.Increment(ref _batches);
        lock (_lock)
        {
            var socket = _elements ??= OpenElementSocket();
            _elementBuffer.ResetWrittenCount();
            try
            {
                socket.Transact(first =>
                {
                    var messages = NftElementBatch.Write(_elementBuffer, parts, first);
                    return (_elementBuffer.WrittenMemory, messages.Select(m => (m.Sequence, m.Description)).ToList(), first + (uint)messages.Count + 1);
                }, "nftables element batch");
            }
            catch (Netlink.NetlinkException ex)
            {
                throw new NftException(ex.Message, ex);
            }
            finally
            {
                if (_elementBuffer.Capacity > MaxKeptElementBuffer)
                {
                    _elementBuffer = new ArrayBufferWriter<byte>(64 * 1024);
                }
            }
        }

        return true;
    }

    private Netlink.NetlinkSocket OpenElementSocket()
    {
        var socket = _netnsPath is null
            ? Netlink.NetlinkSocket.Open(Libc.NetlinkNetfilter)
            : Namespaces.NetnsThread.Run(_netnsPath, () => Netlink.NetlinkSocket.Open(Libc.NetlinkNetfilter));
        socket.PrepareForBatches(MaxElementBatchBytes + 64 * 1024);
        return socket;
    }

    /// <summary>Applies a batch atomically.</summary>
    public Task ApplyAsync(string batch, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _batches);
        return RunAsync("-f -", batch, cancellationToken);
    }

    /// <summary>
    /// The names of the <c>ip</c> tables (or those of <paramref name="family"/>) starting with <paramref name="prefix"/>.
    /// Also the start's check that nftables can be used: in-process, the context is opened first (so a missing library
    /// fails here), then the names are dumped over netlink (<see cref="NftTableList"/>: nft's own listing fetches every
    /// element first).
    /// </summary>
    public async Task<List<string>> ListTablesAsync(string prefix, CancellationToken cancellationToken, NftFamily? family = null)
    {
        family ??= NftFamily.Ip;
        if (_library is not null)
        {
            cancellationToken.ThrowIfCancellationRequested();
            _ = Context();
            return NftTableList.Tables(_netnsPath, prefix, family);
        }

        var output = await RunAsync("list tables " + family.Name, null, cancellationToken).ConfigureAwait(false);
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(p => p.Length == 3 && p[0] == "table" && p[1] == family.Name && p[2].StartsWith(prefix, StringComparison.Ordinal))
            .Select(p => p[2]).ToList();
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        lock (_lock)
        {
            _context?.Dispose();
            _context = null;
            _elements?.Dispose();
            _elements = null;
        }
    }

    private Libnftables Library()
    {
        lock (_lock)
        {
            return _loaded ??= NftContext.Load(_library!);
        }
    }

    private NftContext Context()
    {
        lock (_lock)
        {
            return _context ??= NftContext.Open(Library(), _netnsPath);
        }
    }
}
