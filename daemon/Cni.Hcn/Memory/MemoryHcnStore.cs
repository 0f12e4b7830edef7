using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Cni.Hcn.Json;
using Cni.Hcn.Model;

namespace Cni.Hcn.Memory;

/// <summary>
/// Where a <see cref="MemoryHcn"/> keeps its objects across restarts: the memory dataplane (as HNS outlives wincnid on
/// Windows) and KernelHcn's object layer both persist through it, in one format. The emulator records every object a
/// call changes — a cascade's too — from inside its lock, and re-creates the objects with their IDs on
/// <see cref="MemoryHcn.LoadAsync"/>; nothing outside the emulator derives what a change touched.
/// </summary>
/// <remarks>
/// <para>Layout: a base snapshot <c>memory-hcn.json</c> (all objects, plus the log generation it starts) and an
/// append-only log <c>memory-hcn.&lt;generation&gt;.log</c>, one JSON line per write:
/// <c>{"changes":[{"kind":…,"id":…,"object":…}]}</c> with each changed object's whole current state, or null when it is
/// gone. Opening loads the snapshot, then folds its generation's log in order. One line is one write, so a write's
/// changes (an endpoint delete and the namespace it left) are on disk together or not at all.</para>
/// <para>Ordering: a write reads the current state of every object marked since the last write, inside the write
/// gate, so the last line for an object is its newest state. With <see cref="MemoryHcnStoreOptions.WriteThrough"/>
/// each mutating call returns after its line is written (one unbuffered append); otherwise the owner calls
/// <see cref="WriteChangesAsync"/>, and <see cref="HoldBack"/> keeps a call's marks out of other writes until the owner
/// says the change is real. A process killed at any point leaves snapshot + log at least as new as every change that
/// was reported done; a line cut short by the kill is the log's last and is ignored (and trimmed) on open.</para>
/// <para>Compaction, once the log is above a size threshold or the last snapshot's size, whichever is larger: the next
/// lines go to log n+1 at once, and snapshot n+1 (the objects as they were at the switch) is written to a temp file in
/// the background and renamed over the old one; log n goes after that. Writes never wait for it. A crash before the
/// rename leaves snapshot n + log n + log n+1, which a load reads in that order (log n+1 replays changes the new
/// snapshot would also have held: each line carries whole objects, so replaying them in order ends in the same state);
/// after it, snapshot n+1 + log n+1 (a stale log n is deleted on open). <see cref="CompactAsync"/> compacts at once.</para>
/// <para>No fsync: the files survive a killed process (the page cache does), not a host crash, which is also what HNS
/// endpoints survive.</para>
/// <para>Extension kinds (<see cref="RegisterExtension"/>) carry the owner's own per-object records in the same lines
/// and snapshot, so an object and the owner's record of it are written together.</para>
/// <para>Upgrade: a directory holding the previous KernelHcn layout (<c>&lt;kind&gt;/&lt;id&gt;.json</c>, one file per
/// object) and no snapshot is read once, written as a snapshot, and its folders are then deleted.</para>
/// </remarks>
public sealed class MemoryHcnStore : IDisposable
{
    /// <summary>The snapshot's file name inside the directory.</summary>
    public const string FileName = "memory-hcn.json";

    /// <summary>Log size after which the next write compacts (1 MiB).</summary>
    public const long DefaultCompactionThresholdBytes = 1 << 20;

    /// <summary>
    /// How far past its trigger the log may grow while a compaction waits for a quiet moment
    /// (<see cref="MemoryHcnStoreOptions.CompactWhenQuietFor"/>), and at least <see cref="MemoryHcnStoreOptions.DeferredLogLimitBytes"/>.
    /// </summary>
    public const int BurstLogFactor = 4;

    internal const string NetworkKind = "network";
    internal const string EndpointKind = "endpoint";
    internal const string NamespaceKind = "namespace";
    internal const string LoadBalancerKind = "loadBalancer";
    internal const string SdnRouteKind = "sdnRoute";

    private const int FormatVersion = 2;

    /// <summary>Bytes a snapshot's writer collects before it hands them to the file.</summary>
    private const int SnapshotFlushBytes = 64 * 1024;

    /// <summary>The largest line buffer kept between writes (a burst's may grow larger, then goes).</summary>
    private const int MaxKeptLineBuffer = 1 << 20;

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_objectBuffer;

    [ThreadStatic]
    private static Utf8JsonWriter? t_objectWriter;
    private const string LogPrefix = "memory-hcn.";
    private const string LogSuffix = ".log";
    private const UnixFileMode PrivateFileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private readonly MemoryHcnStoreOptions _options;
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private readonly Lock _markGate = new();
    private readonly AsyncLocal<HeldChanges?> _held = new();
    private readonly Dictionary<string, Extension> _extensions = new(StringComparer.Ordinal);
    private HashSet<(string Kind, Guid Id)> _marked = [];

    /// <summary>The buffer and writer log lines are made in (under the write gate).</summary>
    private ArrayBufferWriter<byte> _lineBuffer = new(64 * 1024);
    private Utf8JsonWriter? _lineWriter;

    /// <summary>
    /// Objects serialized by the call that stored them (in parallel with other calls), used by the next write when
    /// the object is still that very instance (<see cref="Preserialize"/>).
    /// </summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(string Kind, Guid Id), (object Instance, byte[] Json)> _preserialized = new();
    private MemoryHcnStoredState? _loaded;
    private MemoryHcn? _owner;
    private FileStream? _log;
    private long _logBytes;

    /// <summary>The size of the snapshot last written or loaded (the log may grow as large before it is compacted).</summary>
    private long _snapshotBytes;
    private long _generation;
    private bool _compactionOwed;
    private int _failNextWrites;
    private Func<Exception>? _writeFailure;

    /// <summary>The compaction writing a snapshot in the background, if any (<see cref="StartCompactionLocked"/>).</summary>
    private Task<long>? _compaction;

    /// <summary>The generation whose snapshot is owed: its log is the current one, the previous log is still read.</summary>
    private long? _pendingSnapshot;
    private long _snapshotBytesWritten;

    /// <summary>Starts the compaction a burst deferred once writes pause (<see cref="MemoryHcnStoreOptions.CompactWhenQuietFor"/>).</summary>
    private ITimer? _quietTimer;
    private int _disposed;

    /// <summary>Creates a store over <paramref name="directory"/> (created if missing); nothing is read until the emulator loads it.</summary>
    /// <param name="directory">The state directory.</param>
    /// <param name="options">Compaction threshold and write mode; defaults when null.</param>
    public MemoryHcnStore(string directory, MemoryHcnStoreOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        _options = options ?? new MemoryHcnStoreOptions();
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(_options.CompactionThresholdBytes);
        DirectoryPath = directory;
        SnapshotPath = Path.Combine(directory, FileName);
    }

    /// <summary>The state directory.</summary>
    public string DirectoryPath { get; }

    /// <summary>Where the snapshot lives.</summary>
    public string SnapshotPath { get; }

    /// <summary>The change log of the current generation (follows the snapshot; replaced by each compaction).</summary>
    public string LogPath => LogPathOf(Interlocked.Read(ref _generation));

    /// <summary>Whether each mutating call writes its own changes before it returns.</summary>
    public bool WriteThrough => _options.WriteThrough;

    private string TempPath => SnapshotPath + ".tmp";

    /// <summary>
    /// Adds a kind of the owner's own records, persisted beside the emulator's objects: <paramref name="read"/> gives
    /// one record's current JSON (null when it is gone), <paramref name="ids"/> every current ID (for snapshots).
    /// </summary>
    /// <param name="kind">The kind's name; must differ from the emulator's kinds.</param>
    /// <param name="read">The record's current UTF-8 JSON object, or null.</param>
    /// <param name="ids">The IDs of all current records.</param>
    public void RegisterExtension(string kind, Func<Guid, byte[]?> read, Func<IEnumerable<Guid>> ids)
    {
        ArgumentException.ThrowIfNullOrEmpty(kind);
        if (MemoryHcnStoredState.ArrayOf(kind) is not null)
        {
            throw new ArgumentException($"'{kind}' is one of the emulator's own kinds", nameof(kind));
        }

        _extensions[kind] = new Extension(read, ids);
    }

    /// <summary>The records of an extension kind as loaded (empty before the emulator loaded the store).</summary>
    /// <param name="kind">The kind's name.</param>
    /// <returns>ID → JSON object.</returns>
    public IReadOnlyDictionary<Guid, JsonElement> GetLoadedExtension(string kind) =>
        _loaded?.Extensions.GetValueOrDefault(kind) ?? new Dictionary<Guid, JsonElement>();

    /// <summary>
    /// Fault injection, like <see cref="MemoryHcn.FailNext"/>: the next <paramref name="count"/> writes (log lines or
    /// compactions) fail with <paramref name="failure"/>'s exception before a byte is written, as a full or read-only
    /// disk fails them (e.g. an <see cref="IOException"/> with ENOSPC's HResult).
    /// </summary>
    /// <param name="count">How many writes fail.</param>
    /// <param name="failure">Makes each write's exception.</param>
    public void FailNextWrites(int count, Func<Exception> failure)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentNullException.ThrowIfNull(failure);
        _writeFailure = failure;
        Volatile.Write(ref _failNextWrites, count);
    }

    /// <summary>Marks one object changed: the next write puts its current state (or its deletion) in the log.</summary>
    /// <param name="kind">Its kind (an extension kind, or the emulator's own when called by it).</param>
    /// <param name="id">Its ID.</param>
    public void MarkChanged(string kind, Guid id)
    {
        if (_held.Value is { } held)
        {
            held.Add((kind, id));
            return;
        }

        lock (_markGate)
        {
            _marked.Add((kind, id));
        }
    }

    /// <summary>
    /// Until the returned scope is disposed, the objects marked in this async flow are held back from writes, except
    /// after <see cref="ReleaseHeld"/>: a change that is not real yet (its kernel work is still running) is never
    /// written by someone else's write.
    /// </summary>
    /// <returns>The scope; disposing it releases whatever is still held (an undone change's marks, say).</returns>
    public IDisposable HoldBack()
    {
        var scope = new HeldChanges(this, _held.Value);
        _held.Value = scope;
        return scope;
    }

    /// <summary>Releases this async flow's held marks to the next write (its change is now real).</summary>
    public void ReleaseHeld() => _held.Value?.Release();

    /// <summary>The load balancers this flow's change has marked and still holds back (cascades included).</summary>
    public IReadOnlyList<Guid> HeldLoadBalancers() => _held.Value?.Of(LoadBalancerKind) ?? [];

    /// <summary>
    /// Serializes an object the emulator has just stored, on the caller's thread, so the write that persists it (one
    /// at a time, under the write gate) only copies bytes: at 10,000 Services the JSON of 90,000 objects was written
    /// serially by KernelHcn's commits. Only for an owner that writes later (not write-through); the bytes are used
    /// only if the object is still <paramref name="instance"/> when written (stored objects are replaced, never
    /// changed, so the same instance means the same document).
    /// </summary>
    internal void Preserialize(string kind, Guid id, object instance)
    {
        if (_options.WriteThrough || _owner is null)
        {
            return;
        }

        // The calling thread's buffer and writer: only the document's own bytes are allocated.
        var buffer = t_objectBuffer ??= new ArrayBufferWriter<byte>(2048);
        buffer.ResetWrittenCount();
        var writer = t_objectWriter ??= new Utf8JsonWriter(buffer);
        writer.Reset(buffer);
        WriteObject(writer, instance);
        writer.Flush();
        _preserialized[(kind, id)] = (instance, buffer.WrittenSpan.ToArray());
    }

    /// <summary>Writes the marked objects' current states as one log line (or compacts when the log is full).</summary>
    /// <param name="cancellationToken">Cancellation of the wait for the write gate.</param>
    /// <exception cref="IOException">The files could not be written; the marks stay for the next write.</exception>
    public async Task WriteChangesAsync(CancellationToken cancellationToken)
    {
        await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_owner is null)
            {
                return; // not loaded yet: the load re-creates everything there is
            }

            if (_compactionOwed)
            {
                await FinishCompactionLockedAsync().ConfigureAwait(false);
                CompactLocked();
                return;
            }

            HashSet<(string Kind, Guid Id)> marked;
            lock (_markGate)
            {
                if (_marked.Count == 0)
                {
                    return; // a write that started after our mark already wrote it
                }

                marked = _marked;
                _marked = [];
            }

            try
            {
                ThrowIfFailing();
                var line = LineOf(marked);

                // One unbuffered write per line: a kill leaves it whole or as a torn last line.
                _log!.Write(line.Span);
                _logBytes += line.Length;
            }
            catch
            {
                lock (_markGate)
                {
                    _marked.UnionWith(marked);
                }

                throw;
            }

            // Compacting only once the log is as large as the snapshot keeps the bytes written linear in the
            // changes: a node creating 90,000 objects rewrote its ever larger snapshot every megabyte before,
            // which was quadratic (a seventh of the CPU of programming 10,000 Services on KernelHcn).
            var trigger = Math.Max(_options.CompactionThresholdBytes, _snapshotBytes);
            if (_logBytes > trigger)
            {
                if (_options.CompactWhenQuietFor is { } quiet && _logBytes <= Math.Max(BurstLogFactor * trigger, _options.DeferredLogLimitBytes))
                {
                    // Pushed back by every line of a burst; fires once it is over.
                    _quietTimer ??= _options.TimeProvider.CreateTimer(_ => _ = CompactWhenQuietAsync(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
                    _quietTimer.Change(quiet, Timeout.InfiniteTimeSpan);
                }
                else
                {
                    StartCompactionLocked();
                }
            }
        }
        finally
        {
            _writeGate.Release();
        }
    }

    /// <summary>The compaction a burst deferred, once no line was written for the quiet period.</summary>
    private async Task CompactWhenQuietAsync()
    {
        try
        {
            await _writeGate.WaitAsync().ConfigureAwait(false);
        }
        catch (ObjectDisposedException)
        {
            return;
        }

        try
        {
            if (Volatile.Read(ref _disposed) == 0 && _owner is not null && !_compactionOwed && _logBytes > Math.Max(_options.CompactionThresholdBytes, _snapshotBytes))
            {
                StartCompactionLocked();
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // No caller to hand it to: the log stays as it is (complete) and the next write past the trigger tries again.
            LastCompactionError = e;
        }
        finally
        {
            _writeGate.Release();
        }
    }

    /// <summary>Compacts now: a full snapshot and a fresh, empty log.</summary>
    /// <param name="cancellationToken">Cancellation of the wait for the write gate.</param>
    public async Task CompactAsync(CancellationToken cancellationToken)
    {
        await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_owner is not null)
            {
                await FinishCompactionLockedAsync().ConfigureAwait(false);
                CompactLocked();
            }
        }
        finally
        {
            _writeGate.Release();
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        // No deferred compaction starts from here on (one already past the gate has set _compaction when this gets it).
        _quietTimer?.Dispose();
        _writeGate.Wait();
        _writeGate.Release();

        // A snapshot being written finishes first (or fails): its files must not outlive the store's owner.
        try
        {
            _compaction?.Wait();
        }
        catch (AggregateException)
        {
            // the log it would have replaced is still complete
        }

        _lineWriter?.Dispose();
        _log?.Dispose();
        _writeGate.Dispose();
    }

    /// <summary>
    /// Reads snapshot + log (or the previous KernelHcn layout) and trims a torn last line; a leftover temp file and
    /// stale generations' logs are deleted.
    /// </summary>
    /// <exception cref="HcnStateException">A file cannot be read; the message names it.</exception>
    internal async Task<MemoryHcnStoredState> LoadAsync(CancellationToken cancellationToken)
    {
        if (_loaded is not null)
        {
            throw new InvalidOperationException($"the store in {DirectoryPath} is loaded already");
        }

        var failing = SnapshotPath;
        try
        {
            CreatePrivateDirectory(DirectoryPath);
            File.Delete(TempPath);
            var state = new MemoryHcnStoredState();
            if (File.Exists(SnapshotPath))
            {
                var bytes = await File.ReadAllBytesAsync(SnapshotPath, cancellationToken).ConfigureAwait(false);
                _generation = state.LoadSnapshot(bytes, FormatVersion);
                _snapshotBytes = bytes.Length;
                if (_options.MigrateKernelLayout)
                {
                    DeleteLegacyLayout();
                }
            }
            else if (_options.MigrateKernelLayout && LegacyObjectFiles.Read(DirectoryPath, state, file => failing = file))
            {
                _compactionOwed = true; // written in this format once restored, then the old folders go
            }

            DeleteStaleLogs();
            failing = LogPath;
            _logBytes = await ReplayLogAsync(LogPath, state, cancellationToken).ConfigureAwait(false);

            // A compaction that had moved on to the next log but not yet renamed its snapshot: that log follows this
            // one, and becomes the current one; its snapshot is still owed.
            var next = LogPathOf(_generation + 1);
            if (File.Exists(next))
            {
                failing = next;
                _logBytes = await ReplayLogAsync(next, state, cancellationToken).ConfigureAwait(false);
                _generation++;
                _pendingSnapshot = _generation;
            }

            _loaded = state;
            return state;
        }
        catch (Exception e) when (e is JsonException or InvalidDataException or FormatException or IOException or UnauthorizedAccessException)
        {
            throw LoadError(failing, e);
        }
    }

    /// <summary>The error for a state that cannot be loaded or re-created, naming the file and the way out.</summary>
    internal HcnStateException LoadError(string failing, Exception e) => new(
        $"HCN object state {failing} cannot be loaded: {e.Message}. Fix or delete the file (deleting {SnapshotPath} and its "
        + $"{LogPrefix}*{LogSuffix} forgets every object persisted there)",
        e);

    /// <summary>The files both loaded snapshot and log stand for (for restore errors).</summary>
    internal string LoadedFiles => SnapshotPath + " + " + LogPath;

    /// <summary>Starts writing for <paramref name="owner"/>, whose objects now are the loaded ones.</summary>
    internal async Task AttachAsync(MemoryHcn owner, CancellationToken cancellationToken)
    {
        await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            lock (_markGate)
            {
                _marked.Clear();
            }

            _owner = owner;
            _log = OpenLogForAppend(LogPath);
            if (_compactionOwed)
            {
                CompactLocked();
                DeleteLegacyLayout();
            }
        }
        finally
        {
            _writeGate.Release();
        }
    }

    /// <summary>Throws the injected failure while <see cref="FailNextWrites"/> has some left. Caller holds the write gate.</summary>
    private void ThrowIfFailing()
    {
        if (Volatile.Read(ref _failNextWrites) > 0 && _writeFailure is { } failure)
        {
            Interlocked.Decrement(ref _failNextWrites);
            throw failure();
        }
    }

    private string LogPathOf(long generation) =>
        Path.Combine(DirectoryPath, LogPrefix + generation.ToString(CultureInfo.InvariantCulture) + LogSuffix);

    private static FileStream OpenLogForAppend(string path) =>
        OpenPrivate(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0);

    /// <summary>
    /// Opens or creates a state file readable by the daemon's user alone (0600 whatever the umask: the objects name
    /// pods' namespaces and addresses); an existing file is made 0600 too. Windows: the directory's ACL decides.
    /// </summary>
    private static FileStream OpenPrivate(string path, FileMode mode, FileAccess access, FileShare share, int bufferSize)
    {
        var options = new FileStreamOptions { Mode = mode, Access = access, Share = share, BufferSize = bufferSize };
        if (OperatingSystem.IsWindows())
        {
            return new FileStream(path, options);
        }

        options.UnixCreateMode = PrivateFileMode;
        var stream = new FileStream(path, options);
        try
        {
            File.SetUnixFileMode(stream.SafeFileHandle, PrivateFileMode);
        }
        catch
        {
            stream.Dispose();
            throw;
        }

        return stream;
    }

    /// <summary>Creates the state directory as 0700 (or makes an existing one 0700).</summary>
    private static void CreatePrivateDirectory(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
            return;
        }

        const UnixFileMode Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
        Directory.CreateDirectory(path, Mode);
        File.SetUnixFileMode(path, Mode);
    }

    /// <summary>Snapshot of generation n+1 (temp + rename), then log n+1, then log n goes. Caller holds the gate.</summary>
    private void CompactLocked()
    {
        // Marks made from here on are newer than the capture and stay for the next write.
        lock (_markGate)
        {
            _marked.Clear();
        }

        _compactionOwed = true;
        ThrowIfFailing();
        var next = _generation + 1;

        // Synchronous on purpose: async writes cost thread-pool hops on a busy node.
        _snapshotBytes = WriteSnapshot(CaptureSnapshot(), next);

        // From here on the snapshot no longer reads older logs; a crash before the next lines leaves them stale.
        var newLog = OpenLogForAppend(LogPathOf(next));
        newLog.SetLength(0);
        _log?.Dispose();
        _log = newLog;
        _logBytes = 0;
        Interlocked.Exchange(ref _generation, next);
        _pendingSnapshot = null;
        DeleteLogsBefore(next);
        _compactionOwed = false;
    }

    /// <summary>
    /// Starts a compaction that does not hold up writes (caller holds the gate): the objects' current instances are
    /// captured (stored objects are replaced, never changed), the next lines go to log n+1, and snapshot n+1 is
    /// serialized and renamed into place in the background; log n goes after that. The final compaction of a burst
    /// was half a second inside KernelHcn's serialized commit at 10,000 Services. Until the rename, snapshot n +
    /// log n + log n+1 hold everything (a load reads both logs); a failed snapshot is retried by the next
    /// compaction, for the same generation.
    /// </summary>
    private void StartCompactionLocked()
    {
        if (_compaction is { } running)
        {
            if (!running.IsCompleted)
            {
                return;
            }

            AcceptCompaction(running);
        }

        var target = _pendingSnapshot ?? _generation + 1;
        if (_pendingSnapshot is null)
        {
            var newLog = OpenLogForAppend(LogPathOf(target));
            newLog.SetLength(0);
            _log?.Dispose();
            _log = newLog;
            _logBytes = 0;
            Interlocked.Exchange(ref _generation, target);
            _pendingSnapshot = target;
        }

        var capture = CaptureSnapshot();
        _compaction = Task.Run(() =>
        {
            var bytes = WriteSnapshot(capture, target);
            DeleteLogsBefore(target);
            return bytes;
        });
    }

    /// <summary>Waits for a background compaction, if any, and takes in its outcome (caller holds the gate).</summary>
    private async Task FinishCompactionLockedAsync()
    {
        if (_compaction is { } running)
        {
            try
            {
                await running.ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // taken in below: the snapshot stays owed
            }

            AcceptCompaction(running);
        }
    }

    /// <summary>Takes in a finished background compaction (caller holds the gate).</summary>
    private void AcceptCompaction(Task<long> finished)
    {
        _compaction = null;
        if (finished.IsCompletedSuccessfully)
        {
            _snapshotBytes = finished.Result;
            _pendingSnapshot = null;
        }
        else
        {
            // Observed, so it is not reported as unobserved; the snapshot stays owed and the next compaction retries.
            LastCompactionError = finished.Exception?.InnerException;
        }
    }

    /// <summary>Why the last background snapshot failed (retried by the next compaction), null when none failed.</summary>
    internal Exception? LastCompactionError { get; private set; }

    /// <summary>The bytes of every snapshot this store has written (tests check that compaction stays linear).</summary>
    internal long SnapshotBytesWritten => Interlocked.Read(ref _snapshotBytesWritten);

    /// <summary>Waits until no snapshot is being written in the background (tests).</summary>
    internal async Task WaitForCompactionAsync()
    {
        await _writeGate.WaitAsync().ConfigureAwait(false);
        try
        {
            await FinishCompactionLockedAsync().ConfigureAwait(false);
        }
        finally
        {
            _writeGate.Release();
        }
    }

    /// <summary>One log line (valid until the next call; only called under the write gate).</summary>
    private ReadOnlyMemory<byte> LineOf(HashSet<(string Kind, Guid Id)> marked)
    {
        var keys = marked.ToList();
        var states = _owner!.ReadStored(keys);

        // One buffer and writer for every line: each line allocated a buffer of 512 bytes per object and a copy of it
        // (120 MiB while programming 10,000 Services). A buffer a burst made large is let go with the burst.
        var buffer = _lineBuffer.Capacity > MaxKeptLineBuffer ? _lineBuffer = new ArrayBufferWriter<byte>(64 * 1024) : _lineBuffer;
        buffer.ResetWrittenCount();
        var writer = _lineWriter ??= new Utf8JsonWriter(buffer);
        writer.Reset(buffer);
        {
            writer.WriteStartObject();
            writer.WriteStartArray("changes");
            for (var i = 0; i < keys.Count; i++)
            {
                var (kind, id) = keys[i];
                writer.WriteStartObject();
                writer.WriteString("kind", kind);
                writer.WriteString("id", id);
                writer.WritePropertyName("object");
                if (_extensions.TryGetValue(kind, out var extension))
                {
                    WriteRawOrNull(writer, extension.Read(id));
                }
                else if (_preserialized.TryRemove(keys[i], out var early) && ReferenceEquals(early.Instance, states[i]))
                {
                    writer.WriteRawValue(early.Json, skipInputValidation: true);
                }
                else
                {
                    WriteObject(writer, states[i]);
                }

                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
            writer.Flush();
        }

        buffer.Write("\n"u8);
        return buffer.WrittenMemory;
    }

    /// <summary>What a snapshot holds: the objects' instances and the extensions' records, taken now.</summary>
    private SnapshotCapture CaptureSnapshot()
    {
        var extensions = new List<(string Kind, List<(Guid Id, byte[] Json)> Records)>();
        foreach (var (kind, extension) in _extensions)
        {
            var records = new List<(Guid Id, byte[] Json)>();
            foreach (var id in extension.Ids())
            {
                if (extension.Read(id) is { } json)
                {
                    records.Add((id, json));
                }
            }

            extensions.Add((kind, records));
        }

        return new SnapshotCapture(_owner!.CaptureStored(), extensions);
    }

    /// <summary>Writes snapshot <paramref name="generation"/> of <paramref name="capture"/> (temp file, then rename); returns its size.</summary>
    private long WriteSnapshot(SnapshotCapture capture, long generation)
    {
        long length;
        try
        {
            using (var file = OpenPrivate(TempPath, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 64 * 1024))
            {
                WriteSnapshot(file, capture, generation);
                length = file.Length;
            }

            File.Move(TempPath, SnapshotPath, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A half-written snapshot (a full disk) would hold on to the very space that ran out until the next start.
            TryDelete(TempPath);
            throw;
        }

        Interlocked.Add(ref _snapshotBytesWritten, length);
        return length;
    }

    private static void WriteSnapshot(Stream output, SnapshotCapture capture, long generation)
    {
        using (var writer = new Utf8JsonWriter(output))
        {
            writer.WriteStartObject();
            writer.WriteNumber("version", FormatVersion);
            writer.WriteNumber("generation", generation);
            foreach (var (kind, values) in capture.Objects)
            {
                writer.WriteStartArray(MemoryHcnStoredState.ArrayOf(kind)!);
                foreach (var value in values)
                {
                    WriteObject(writer, value);

                    // A writer over a stream holds everything until flushed: a snapshot of 90,000 objects was 38 MiB
                    // in memory (in a buffer grown to 64 MiB) before the first byte reached the file.
                    if (writer.BytesPending >= SnapshotFlushBytes)
                    {
                        writer.Flush();
                    }
                }

                writer.WriteEndArray();
            }

            writer.WriteStartObject("extensions");
            foreach (var (kind, records) in capture.Extensions)
            {
                writer.WriteStartObject(kind);
                foreach (var (id, json) in records)
                {
                    writer.WritePropertyName(id.ToString("D"));
                    writer.WriteRawValue(json);
                    if (writer.BytesPending >= SnapshotFlushBytes)
                    {
                        writer.Flush();
                    }
                }

                writer.WriteEndObject();
            }

            writer.WriteEndObject();
            writer.WriteEndObject();
        }
    }

    private static void WriteRawOrNull(Utf8JsonWriter writer, byte[]? json)
    {
        if (json is null)
        {
            writer.WriteNullValue();
        }
        else
        {
            writer.WriteRawValue(json);
        }
    }

    private static void WriteObject(Utf8JsonWriter writer, object? value)
    {
        switch (value)
        {
            case HostComputeNetwork network:
                JsonSerializer.Serialize(writer, network, HcnJson.GetTypeInfo<HostComputeNetwork>());
                break;
            case HostComputeEndpoint endpoint:
                JsonSerializer.Serialize(writer, endpoint, HcnJson.GetTypeInfo<HostComputeEndpoint>());
                break;
            case HostComputeNamespace ns:
                JsonSerializer.Serialize(writer, ns, HcnJson.GetTypeInfo<HostComputeNamespace>());
                break;
            case HostComputeLoadBalancer loadBalancer:
                JsonSerializer.Serialize(writer, loadBalancer, HcnJson.GetTypeInfo<HostComputeLoadBalancer>());
                break;
            case HostComputeRoute route:
                JsonSerializer.Serialize(writer, route, HcnJson.GetTypeInfo<HostComputeRoute>());
                break;
            case null:
                writer.WriteNullValue();
                break;
            default:
                throw new InvalidOperationException($"cannot persist a {value.GetType().Name}");
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Deleted at the next load.
        }
    }

    /// <summary>Deletes every log but the snapshot's own and the one after it (see <see cref="StartCompactionLocked"/>).</summary>
    private void DeleteStaleLogs()
    {
        var keep = new[] { Path.GetFileName(LogPath), Path.GetFileName(LogPathOf(_generation + 1)) };
        foreach (var path in Directory.EnumerateFiles(DirectoryPath, LogPrefix + "*" + LogSuffix))
        {
            if (!keep.Contains(Path.GetFileName(path), StringComparer.Ordinal))
            {
                File.Delete(path); // the log of a generation a finished snapshot already covers
            }
        }
    }

    /// <summary>Deletes the logs of generations before <paramref name="generation"/>, which its snapshot covers.</summary>
    private void DeleteLogsBefore(long generation)
    {
        foreach (var path in Directory.EnumerateFiles(DirectoryPath, LogPrefix + "*" + LogSuffix))
        {
            var name = Path.GetFileName(path);
            if (long.TryParse(name.AsSpan(LogPrefix.Length, name.Length - LogPrefix.Length - LogSuffix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var old)
                && old < generation)
            {
                File.Delete(path);
            }
        }
    }

    private void DeleteLegacyLayout()
    {
        foreach (var folder in LegacyObjectFiles.Folders(DirectoryPath))
        {
            Directory.Delete(folder, recursive: true); // a snapshot exists, so these were migrated
        }
    }

    /// <summary>
    /// Applies a log to <paramref name="state"/> and trims a torn last line (a write cut short
    /// by a kill) so the next append starts a line of its own. Returns the log's length after trimming.
    /// </summary>
    private static async Task<long> ReplayLogAsync(string path, MemoryHcnStoredState state, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            return 0;
        }

        var bytes = await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
        var good = 0;
        var lineNumber = 0;
        while (good < bytes.Length)
        {
            var newline = Array.IndexOf(bytes, (byte)'\n', good);
            if (newline < 0)
            {
                break; // no newline: the last line was cut short
            }

            lineNumber++;
            var line = new ReadOnlyMemory<byte>(bytes, good, newline - good);
            try
            {
                if (!line.IsEmpty)
                {
                    state.ApplyLine(line);
                }
            }
            catch (Exception e) when (e is JsonException or InvalidDataException)
            {
                if (newline + 1 < bytes.Length)
                {
                    throw new InvalidDataException($"line {lineNumber} of {path} is corrupt: {e.Message}", e);
                }

                break; // an unreadable last line is a torn write as well
            }

            good = newline + 1;
        }

        if (good < bytes.Length)
        {
            using var log = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
            log.SetLength(good);
        }

        return good;
    }

    /// <summary>The state a snapshot is written from.</summary>
    private sealed record SnapshotCapture(List<(string Kind, List<object> Values)> Objects, List<(string Kind, List<(Guid Id, byte[] Json)> Records)> Extensions);

    /// <summary>An owner's record kind: how to read one record, and which IDs exist.</summary>
    private sealed record Extension(Func<Guid, byte[]?> Read, Func<IEnumerable<Guid>> Ids);

    /// <summary>The marks one async flow holds back (see <see cref="HoldBack"/>).</summary>
    private sealed class HeldChanges(MemoryHcnStore store, HeldChanges? previous) : IDisposable
    {
        private readonly Lock _gate = new();
        private readonly List<(string Kind, Guid Id)> _keys = [];

        public void Add((string Kind, Guid Id) key)
        {
            lock (_gate)
            {
                _keys.Add(key);
            }
        }

        public IReadOnlyList<Guid> Of(string kind)
        {
            lock (_gate)
            {
                return [.. _keys.Where(k => string.Equals(k.Kind, kind, StringComparison.Ordinal)).Select(k => k.Id).Distinct()];
            }
        }

        public void Release()
        {
            lock (_gate)
            {
                lock (store._markGate)
                {
                    store._marked.UnionWith(_keys);
                }

                _keys.Clear();
            }
        }

        public void Dispose()
        {
            Release();
            store._held.Value = previous;
        }
    }
}
