using Microsoft.Extensions.Logging;

namespace Cni.Node.Ipam;

internal sealed partial class LeaseJournal
{
    private static partial class Log
    {
        [LoggerMessage(EventId = 4101, Level = LogLevel.Information, Message = "Recovered IPAM journal {JournalPath}: {RecordCount} records, {Length} bytes")]
        public static partial void Recovered(ILogger logger, string journalPath, int recordCount, long length);

        [LoggerMessage(EventId = 4102, Level = LogLevel.Warning, Message = "IPAM journal {JournalPath} had a torn tail (a crash during a write): truncated at offset {Offset}, discarded {DiscardedBytes} bytes of unacknowledged records")]
        public static partial void TornTailTruncated(ILogger logger, string journalPath, long offset, long discardedBytes);

        [LoggerMessage(EventId = 4103, Level = LogLevel.Information, Message = "Deleted {TempPath} left by an interrupted compaction")]
        public static partial void TempFileDeleted(ILogger logger, string tempPath);

        [LoggerMessage(EventId = 4104, Level = LogLevel.Information, Message = "Compacted IPAM journal {JournalPath} from {OldLength} to {NewLength} bytes")]
        public static partial void Compacted(ILogger logger, string journalPath, long oldLength, long newLength);

        [LoggerMessage(EventId = 4105, Level = LogLevel.Warning, Message = "Compaction of IPAM journal {JournalPath} failed; the journal stays as it was")]
        public static partial void CompactionFailed(ILogger logger, Exception exception, string journalPath);

        [LoggerMessage(EventId = 4106, Level = LogLevel.Error, Message = "Writing {RecordCount} records to IPAM journal {JournalPath} failed; the operations are rolled back")]
        public static partial void WriteFailed(ILogger logger, Exception exception, string journalPath, int recordCount);

        [LoggerMessage(EventId = 4107, Level = LogLevel.Critical, Message = "IPAM journal {JournalPath} is out of service: every ADD and DEL fails until it is rewritten; the first try is at {NextAttempt}")]
        public static partial void JournalFaulted(ILogger logger, Exception exception, string journalPath, DateTimeOffset nextAttempt);

        [LoggerMessage(EventId = 4109, Level = LogLevel.Warning, Message = "IPAM journal {JournalPath} is back in service after {Downtime} ({Attempts} attempts): rewritten from the durable state")]
        public static partial void JournalRecovered(ILogger logger, string journalPath, TimeSpan downtime, int attempts);

        [LoggerMessage(EventId = 4110, Level = LogLevel.Error, Message = "IPAM journal {JournalPath} is still out of service (attempt {Attempts}); next try at {NextAttempt}")]
        public static partial void RecoveryFailed(ILogger logger, Exception exception, string journalPath, int attempts, DateTimeOffset nextAttempt);

        [LoggerMessage(EventId = 4108, Level = LogLevel.Warning, Message = "Could not delete {TempPath}")]
        public static partial void TempFileNotDeleted(ILogger logger, Exception exception, string tempPath);
    }
}
