using System.Buffers;
using Microsoft.Extensions.Logging;

namespace Cni.Node.Ipam;

/// <summary>
/// The write-ahead log of lease records under <c>&lt;stateDir&gt;/ipam/</c>.
/// <list type="bullet">
/// <item>Group commit with a leader: the first caller with nothing in flight writes and fsyncs on its own thread (no
/// thread hops for an uncontended ADD); records arriving meanwhile queue up, and a thread-pool leader commits them as
/// one batch of up to <see cref="DefaultMaxBatchBytes"/> with one write and one fsync, then completes every waiter.
/// 200 concurrent ADDs cost a handful of fsyncs, and no caller is acknowledged before its record is durable.</item>
/// <item>Recovery: replay frames until the first incomplete or CRC-failing one, then truncate there. Only the last
/// batch can be torn (the next batch starts after the previous fsync), so a bad frame further than one batch
/// from the end is real corruption and open fails rather than dropping committed leases.</item>
/// <item>Compaction: when the log outgrows its threshold, the durable state is written to a temp file, fsynced,
/// renamed over the log and the directory fsynced. A crash leaves either the old log or the new one, both
/// complete; a leftover temp file is deleted on open.</item>
/// <item>A lock file opened exclusively (flock on Unix, share-none on Windows) keeps a second daemon out.</item>
/// <item>Out of service: when the file can no longer be trusted (a failed write whose truncation failed too, a failed
/// directory fsync or reopen after compaction, an unexpected exception), appends fail at once and the journal rewrites
/// itself from the durable state in memory (the compaction path) on a timer, 1 s doubling to 30 s, until that works:
/// the daemon recovers when the disk does, without a restart.</item>
/// </list>
/// </summary>
internal sealed partial class LeaseJournal : IAsyncDisposable
{
    public const int DefaultMaxBatchBytes = 1024 * 1024;

    /// <summary>How much zeroed space an append that runs out of it adds (about 4,000 lease records).</summary>
    public const int PreallocationBytes = 1024 * 1024;
    public const string JournalFileName = "leases.wal";
    public const string TempFileName = "leases.wal.tmp";
    public const string LockFileName = "lock";

    private readonly string _directory;
    private readonly string _tempPath;
    private readonly FileStream _lock;
    private readonly JournalState _durable;
    private readonly object _appendGate = new();
    private readonly TaskCompletionSource _idle = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly long _compactionThreshold;
    private readonly int _maxBatchBytes;
    private List<PendingAppend> _pending = [];
    private bool _committing;
    private bool _closed;
    private FileStream? _file;
    private long _length;
    private long _allocated;
    private long _lastSnapshotBytes;
    private long _batches;
    private long _compactions;
    private volatile Exception? _fault;
    private DateTimeOffset _faultedAt;
    private int _recoveryAttempts;
    private DateTimeOffset? _nextRecoveryAt;
    private ITimer? _recoveryTimer;

    private LeaseJournal(
        string directory, FileStream lockFile, FileStream file, long length, JournalState durable, long compactionThreshold, int maxBatchBytes, TimeProvider time, ILogger logger)
    {
        _directory = directory;
        Path = System.IO.Path.Combine(directory, JournalFileName);
        _tempPath = System.IO.Path.Combine(directory, TempFileName);
        _lock = lockFile;
        _file = file;
        _length = length;
        _allocated = length;

        // Zero, not the recovered length: a long log inherited from before a crash is compacted on the first write.
        _lastSnapshotBytes = 0;
        _durable = durable;
        _compactionThreshold = compactionThreshold;
        _maxBatchBytes = maxBatchBytes;
        _time = time;
        _logger = logger;
    }

    /// <summary>The journal file.</summary>
    public string Path { get; }

    /// <summary>The I/O failure that put the journal out of service, or null while it is healthy.</summary>
    public Exception? Fault => _fault;

    /// <summary>Slowest retry of a journal out of service.</summary>
    public static readonly TimeSpan MaxRecoveryDelay = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Null while healthy; else what happened, since when, and when the journal next tries to recover by itself.
    /// </summary>
    public string? Problem
    {
        get
        {
            lock (_appendGate)
            {
                if (_fault is not { } fault)
                {
                    return null;
                }

                var next = _nextRecoveryAt is { } at ? $"; it retries on its own, next at {at:u}" : string.Empty;
                return $"IPAM journal {Path} is out of service since {_faultedAt:u} ({fault.GetType().Name}: {fault.Message}){next}";
            }
        }
    }

    internal long Length => Interlocked.Read(ref _length);

    internal long BatchCount => Interlocked.Read(ref _batches);

    /// <summary>Records waiting for the commit in flight (tests).</summary>
    internal int PendingCount
    {
        get
        {
            lock (_appendGate)
            {
                return _pending.Count;
            }
        }
    }

    internal long CompactionCount => Interlocked.Read(ref _compactions);

    /// <summary>Test hook: observes the files at each compaction stage (a crash point).</summary>
    internal Action<CompactionStage>? CompactionHook { get; set; }

    /// <summary>Test hook: runs before each batch write; an exception it throws is treated as a write failure.</summary>
    internal Action? BeforeWrite { get; set; }

    /// <summary>Test hook: runs before a failed batch is cut off again; an exception it throws is that truncation's failure.</summary>
    internal Action? BeforeTruncate { get; set; }

    /// <summary>Test hook: runs before a recovery rewrites the file; an exception it throws is that rewrite's failure.</summary>
    internal Action? BeforeRecovery { get; set; }

    /// <summary>Locks <paramref name="directory"/>, recovers the journal and returns it with the replayed state.</summary>
    public static async Task<(LeaseJournal Journal, JournalState State)> OpenAsync(
        string directory, long compactionThreshold, int maxBatchBytes, TimeProvider time, ILogger logger, CancellationToken cancellationToken)
    {
        PrivateFiles.CreateDirectory(directory);
        FileStream lockFile;
        try
        {
            lockFile = PrivateFiles.Open(System.IO.Path.Combine(directory, LockFileName), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException ex)
        {
            throw new IpamStoreLockedException(directory, ex);
        }

        FileStream? file = null;
        try
        {
            var path = System.IO.Path.Combine(directory, JournalFileName);
            var tempPath = System.IO.Path.Combine(directory, TempFileName);
            if (File.Exists(tempPath))
            {
                // An interrupted compaction: the live journal is complete without it.
                File.Delete(tempPath);
                Log.TempFileDeleted(logger, tempPath);
            }

            var created = !File.Exists(path);
            file = PrivateFiles.Open(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read, bufferSize: 0);
            var state = new JournalState();
            var length = await RecoverAsync(file, path, state, maxBatchBytes, logger, cancellationToken).ConfigureAwait(false);
            if (created)
            {
                DurableFile.FlushDirectory(directory);
            }

            var journal = new LeaseJournal(directory, lockFile, file, length, state, compactionThreshold, maxBatchBytes, time, logger);
            var snapshot = new JournalState();
            foreach (var lease in state.Leases.Values)
            {
                snapshot.Apply(new AllocateRecord(lease));
            }

            foreach (var (address, until) in state.Quarantine)
            {
                snapshot.Apply(new QuarantineRecord(address, until));
            }

            return (journal, snapshot);
        }
        catch
        {
            file?.Dispose();
            lockFile.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Appends <paramref name="record"/> and completes once it is fsynced. Deliberately not cancellable: once
    /// enqueued the record may reach the disk, so the caller must learn the outcome to keep memory and disk equal.
    /// </summary>
    public Task AppendAsync(JournalRecord record)
    {
        var fault = _fault;
        if (fault is not null)
        {
            throw new IpamJournalException(Path, "out of service after an earlier I/O failure; wincnid rewrites it on its own as soon as the disk accepts writes again.", fault);
        }

        var pending = new PendingAppend(record, JournalCodec.Frame(record));
        lock (_appendGate)
        {
            if (_closed)
            {
                throw new ObjectDisposedException(nameof(LeaseJournal), "The IPAM journal is closed.");
            }

            _pending.Add(pending);
            if (_committing)
            {
                // A commit is in flight: its leader (or the one it hands over to) takes this record in the next batch.
                return pending.Completion.Task;
            }

            _committing = true;
        }

        // Leader: write and fsync on this thread, so an uncontended append costs no thread hop in and none out
        // (the task is complete when it is returned). Later records wait for the next batch: group commit.
        CommitPending(handOver: true);
        return pending.Completion.Task;
    }

    public async ValueTask DisposeAsync()
    {
        bool idle;
        ITimer? timer;
        lock (_appendGate)
        {
            _closed = true;
            idle = !_committing;
            timer = _recoveryTimer;
            _recoveryTimer = null;
        }

        if (timer is not null)
        {
            await timer.DisposeAsync().ConfigureAwait(false);
        }

        if (idle)
        {
            _idle.TrySetResult();
        }

        await _idle.Task.ConfigureAwait(false);
        if (_file is not null)
        {
            if (_allocated > _length && _fault is null)
            {
                // A clean stop leaves the log exactly as long as its records (after a crash, recovery trims the zeros).
                try
                {
                    _file.SetLength(_length);
                    _file.Flush(flushToDisk: true);
                }
                catch (IOException ex)
                {
                    Log.WriteFailed(_logger, ex, Path, 0);
                }
            }

            await _file.DisposeAsync().ConfigureAwait(false);
        }

        await _lock.DisposeAsync().ConfigureAwait(false);
    }

    private static async Task<long> RecoverAsync(FileStream file, string path, JournalState state, int maxBatchBytes, ILogger logger, CancellationToken cancellationToken)
    {
        var length = file.Length;
        if (length > int.MaxValue)
        {
            throw new IpamJournalException(path, $"is {length} bytes, far beyond any lease table; refusing to load it.");
        }

        var data = new byte[length];
        await file.ReadExactlyAsync(data, cancellationToken).ConfigureAwait(false);

        if (length < JournalCodec.HeaderSize)
        {
            // Empty, or a crash while creating it: no record can have been committed before the header's fsync.
            file.SetLength(0);
            file.Write(JournalCodec.Header());
            file.Flush(flushToDisk: true);
            return JournalCodec.HeaderSize;
        }

        if (!JournalCodec.IsValidHeader(data))
        {
            throw new IpamJournalException(path, "is not a wincni IPAM journal of a supported version (bad header). Move it aside to start empty, which forgets every lease, or restore the right file.");
        }

        var position = JournalCodec.HeaderSize;
        var records = 0;
        while (position < length && JournalCodec.TryReadFrame(data.AsSpan(position), out var record, out var frameLength))
        {
            state.Apply(record!);
            position += frameLength;
            records++;
        }

        // Preallocated space that no batch reached yet is zeros: the end of the log, not a torn write.
        var lastWritten = position < length ? data.AsSpan(position).LastIndexOfAnyExcept((byte)0) : -1;
        if (position < length && lastWritten < 0)
        {
            file.SetLength(position);
            file.Flush(flushToDisk: true);
        }
        else if (position < length)
        {
            var discarded = lastWritten + 1L;
            if (discarded > TornTailWindow(maxBatchBytes))
            {
                throw new IpamJournalException(
                    path,
                    $"has a corrupt record at offset {position} followed by {discarded} bytes. A crash can only tear the last write batch (at most {TornTailWindow(maxBatchBytes)} bytes), so this is corruption; refusing to drop committed leases. Restore the file or move it aside.");
            }

            file.SetLength(position);
            file.Flush(flushToDisk: true);
            Log.TornTailTruncated(logger, path, position, discarded);
        }

        Log.Recovered(logger, path, records, position);
        return position;
    }

    private static long TornTailWindow(int maxBatchBytes) => (long)maxBatchBytes + JournalCodec.FrameHeaderSize + JournalCodec.MaxPayloadBytes;

    /// <summary>
    /// Commits one batch of the pending records; with <paramref name="handOver"/>, records that arrived meanwhile go to
    /// a thread-pool leader (the caller's own request should not wait behind other requests' fsyncs), otherwise this
    /// leader keeps committing until nothing is pending.
    /// </summary>
    private void CommitPending(bool handOver)
    {
        while (true)
        {
            List<PendingAppend> batch;
            var bytes = 0;
            lock (_appendGate)
            {
                if (StopCommittingIfNothingPending())
                {
                    return;
                }

                var take = 0;
                while (take < _pending.Count && (take == 0 || bytes + _pending[take].Frame.Length <= _maxBatchBytes))
                {
                    bytes += _pending[take].Frame.Length;
                    take++;
                }

                batch = _pending.GetRange(0, take);
                _pending.RemoveRange(0, take);
            }

            try
            {
                CommitBatch(batch, bytes);
            }
            catch (Exception ex)
            {
                // A bug, not an I/O error: stop writing rather than guess what reached the disk.
                Faulted(ex);
                FailAll(batch, ex);
            }

            if (handOver)
            {
                lock (_appendGate)
                {
                    if (StopCommittingIfNothingPending())
                    {
                        return;
                    }
                }

                ThreadPool.UnsafeQueueUserWorkItem(static journal => journal.CommitPending(handOver: false), this, preferLocal: false);
                return;
            }
        }
    }

    /// <summary>Under <c>_appendGate</c>: ends this leader's turn when nothing is pending (and lets a waiting dispose go on).</summary>
    private bool StopCommittingIfNothingPending()
    {
        if (_pending.Count != 0)
        {
            return false;
        }

        _committing = false;
        if (_closed)
        {
            _idle.TrySetResult();
        }

        return true;
    }

    private void CommitBatch(List<PendingAppend> batch, int bytes)
    {
        var fault = _fault;
        if (fault is not null)
        {
            FailAll(batch, fault);
            return;
        }

        var buffer = ArrayPool<byte>.Shared.Rent(bytes);
        try
        {
            var offset = 0;
            foreach (var pending in batch)
            {
                pending.Frame.CopyTo(buffer, offset);
                offset += pending.Frame.Length;
            }

            if (_length + bytes > _allocated)
            {
                Preallocate(_length + bytes);
            }

            BeforeWrite?.Invoke();
            _file!.Position = _length;
            _file.Write(buffer, 0, bytes);

            // The batch lands in space that already exists (zeros written and fsynced by Preallocate), so neither
            // the size nor the block map changes: fdatasync flushes the data alone, with no journal commit.
            DurableFile.FlushData(_file);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Log.WriteFailed(_logger, ex, Path, batch.Count);
            RestoreLastGoodLength();
            FailAll(batch, ex);
            return;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        Interlocked.Add(ref _length, bytes);
        Interlocked.Increment(ref _batches);
        foreach (var pending in batch)
        {
            _durable.Apply(pending.Record);
        }

        // Compact before acknowledging: the batch is durable in the old file and in the snapshot alike, and a
        // caller that has its answer never races a compaction still in progress.
        MaybeCompact();
        foreach (var pending in batch)
        {
            pending.Completion.TrySetResult();
        }
    }

    /// <summary>
    /// Extends the file with written zeros (not a sparse hole or unwritten extent, which the first write into would
    /// still have to record in the filesystem's journal) by at least <see cref="PreallocationBytes"/>, and fsyncs the
    /// new size. Recovery treats a zero tail as unused space.
    /// </summary>
    private void Preallocate(long needed)
    {
        var target = Math.Max(needed, _allocated + PreallocationBytes);
        var zeros = new byte[64 * 1024];
        _file!.Position = _allocated;
        for (var at = _allocated; at < target; at += zeros.Length)
        {
            _file.Write(zeros, 0, (int)Math.Min(zeros.Length, target - at));
        }

        _file.Flush(flushToDisk: true);
        _allocated = target;
    }

    /// <summary>
    /// After a failed write the file may hold part of the batch; cut it back so the next batch does not land
    /// behind garbage (which recovery would stop at, losing it). If even that fails, stop writing for good.
    /// </summary>
    private void RestoreLastGoodLength()
    {
        try
        {
            BeforeTruncate?.Invoke();
            _file!.SetLength(_length);
            _file.Flush(flushToDisk: true);
            _allocated = _length;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Faulted(ex);
        }
    }

    private void FailAll(List<PendingAppend> batch, Exception cause)
    {
        var error = new IpamJournalException(Path, "the write failed; the operation was rolled back and can be retried.", cause);
        foreach (var pending in batch)
        {
            pending.Completion.TrySetException(error);
        }
    }

    private void MaybeCompact()
    {
        if (_length <= Math.Max(_compactionThreshold, 2 * _lastSnapshotBytes))
        {
            return;
        }

        var oldLength = _length;
        var frames = _durable.Snapshot(_time.GetUtcNow()).Select(JournalCodec.Frame).ToList();
        var size = JournalCodec.HeaderSize + frames.Sum(f => (long)f.Length);
        try
        {
            using (var temp = PrivateFiles.Open(_tempPath, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 64 * 1024))
            {
                temp.Write(JournalCodec.Header());
                foreach (var frame in frames)
                {
                    temp.Write(frame);
                }

                temp.Flush(flushToDisk: true);
            }

            CompactionHook?.Invoke(CompactionStage.TempFileWritten);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Log.CompactionFailed(_logger, ex, Path);
            TryDeleteTemp();

            // Back off until the log doubles again instead of retrying after every batch.
            _lastSnapshotBytes = _length;
            return;
        }

        // Windows cannot replace a file we hold open; close it, swap, reopen the new one.
        _file!.Dispose();
        _file = null;
        try
        {
            DurableFile.Replace(_tempPath, Path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Log.CompactionFailed(_logger, ex, Path);
            TryDeleteTemp();
            _lastSnapshotBytes = _length;
            ReopenOrFault();
            return;
        }

        try
        {
            // Until the rename is durable a crash may bring back the old log, which would miss later appends.
            DurableFile.FlushDirectory(_directory);
            CompactionHook?.Invoke(CompactionStage.Replaced);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Faulted(ex);
            return;
        }

        _length = size;
        _allocated = size;
        _lastSnapshotBytes = size;
        ReopenOrFault();
        Interlocked.Increment(ref _compactions);
        Log.Compacted(_logger, Path, oldLength, size);
    }

    private void ReopenOrFault()
    {
        try
        {
            _file = new FileStream(Path, FileMode.Open, FileAccess.ReadWrite, FileShare.Read, bufferSize: 0);
            if (_file.Length != _length)
            {
                throw new IOException($"journal is {_file.Length} bytes after reopening, expected {_length}");
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Faulted(ex);
        }
    }

    /// <summary>
    /// Takes the journal out of service (appends fail at once) and schedules its recovery. Called by the committing
    /// leader, the only writer, so nothing else touches the file meanwhile.
    /// </summary>
    private void Faulted(Exception cause)
    {
        lock (_appendGate)
        {
            if (_fault is null)
            {
                _faultedAt = _time.GetUtcNow();
                _recoveryAttempts = 0;
            }

            _fault = cause;
            ScheduleRecovery();
        }

        Log.JournalFaulted(_logger, cause, Path, _nextRecoveryAt ?? _faultedAt);
    }

    /// <summary>Under <c>_appendGate</c>: arms the recovery timer, 1 s after the fault doubling to <see cref="MaxRecoveryDelay"/>.</summary>
    private void ScheduleRecovery()
    {
        if (_closed)
        {
            return;
        }

        var delay = TimeSpan.FromSeconds(Math.Min(MaxRecoveryDelay.TotalSeconds, Math.Pow(2, Math.Min(_recoveryAttempts, 10))));
        _nextRecoveryAt = _time.GetUtcNow() + delay;
        _recoveryTimer ??= _time.CreateTimer(static state => ((LeaseJournal)state!).TryRecover(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _recoveryTimer.Change(delay, Timeout.InfiniteTimeSpan);
    }

    /// <summary>
    /// The recovery timer: as the committing leader (so no batch runs meanwhile), rewrites the journal from the durable
    /// state in memory, exactly as compaction does, then commits whatever queued up. What the file held after the
    /// last good batch (a failed batch's bytes) is dropped with it: those callers were told their write failed.
    /// </summary>
    private void TryRecover()
    {
        lock (_appendGate)
        {
            if (_closed || _fault is null)
            {
                return;
            }

            if (_committing)
            {
                // A leader is failing a batch against the fault right now; try again shortly.
                _recoveryTimer?.Change(TimeSpan.FromMilliseconds(100), Timeout.InfiniteTimeSpan);
                return;
            }

            _committing = true;
            _recoveryAttempts++;
        }

        try
        {
            var size = RewriteFromDurableState();
            var downtime = _time.GetUtcNow() - _faultedAt;
            lock (_appendGate)
            {
                _length = size;
                _allocated = size;
                _lastSnapshotBytes = size;
                _fault = null;
                _nextRecoveryAt = null;
            }

            Log.JournalRecovered(_logger, Path, downtime, _recoveryAttempts);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            TryDeleteTemp();
            lock (_appendGate)
            {
                ScheduleRecovery();
            }

            Log.RecoveryFailed(_logger, ex, Path, _recoveryAttempts, _nextRecoveryAt ?? _time.GetUtcNow());
        }

        // Records that raced the fault and queued anyway are committed (or failed against it) now.
        CommitPending(handOver: false);
    }

    /// <summary>The durable state as a fresh journal: temp file, fsync, rename over the journal, directory fsync, reopen.</summary>
    private long RewriteFromDurableState()
    {
        try
        {
            _file?.Dispose();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The handle of a failed file: whatever it could not flush is what the rewrite replaces.
        }

        _file = null;
        BeforeRecovery?.Invoke();
        var frames = _durable.Snapshot(_time.GetUtcNow()).Select(JournalCodec.Frame).ToList();
        var size = JournalCodec.HeaderSize + frames.Sum(f => (long)f.Length);
        using (var temp = PrivateFiles.Open(_tempPath, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 64 * 1024))
        {
            temp.Write(JournalCodec.Header());
            foreach (var frame in frames)
            {
                temp.Write(frame);
            }

            temp.Flush(flushToDisk: true);
        }

        DurableFile.Replace(_tempPath, Path);
        DurableFile.FlushDirectory(_directory);
        var file = new FileStream(Path, FileMode.Open, FileAccess.ReadWrite, FileShare.Read, bufferSize: 0);
        if (file.Length != size)
        {
            file.Dispose();
            throw new IOException($"journal is {file.Length} bytes after the rewrite, expected {size}");
        }

        _file = file;
        return size;
    }

    private void TryDeleteTemp()
    {
        try
        {
            File.Delete(_tempPath);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Log.TempFileNotDeleted(_logger, ex, _tempPath);
        }
    }

    private sealed class PendingAppend(JournalRecord record, byte[] frame)
    {
        public JournalRecord Record { get; } = record;

        public byte[] Frame { get; } = frame;

        public TaskCompletionSource Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
