namespace Cni.Hcn.Errors;

/// <summary>
/// The <see cref="HcnException"/> for a dataplane whose state files could not be written (KernelHcn's and the memory
/// dataplane's object store): the cause from the errno (a full disk, a read-only or failing file system), not HNS's
/// advice about event logs. A full disk is <see cref="HcnErrorCodes.DiskFull"/>, which callers retry.
/// </summary>
public static class StateWriteFailure
{
    // Linux errno values as .NET reports them in IOException.HResult on Unix.
    private const int Eio = 5;
    private const int Enospc = 28;
    private const int Erofs = 30;
    private const int Edquot = 122;

    /// <summary>Whether <paramref name="exception"/> (or a cause of it) is a full disk or quota.</summary>
    public static bool IsDiskFull(Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is IOException { HResult: Enospc or Edquot } || (e is IOException && e.Message.Contains("No space left on device", StringComparison.Ordinal)))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Builds the exception for <paramref name="exception"/>, raised while writing under <paramref name="stateDirectory"/>.</summary>
    /// <param name="operation">What was being done.</param>
    /// <param name="stateDirectory">The directory the state is written to.</param>
    /// <param name="exception">The I/O failure.</param>
    /// <param name="detail">Extra context (what was and was not done), if any.</param>
    public static HcnException Create(string operation, string stateDirectory, Exception exception, string? detail = null)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var text = (detail is null ? string.Empty : detail.TrimEnd('.') + ". ") + exception.Message;
        if (IsDiskFull(exception))
        {
            return new HcnException(operation, HcnErrorCodes.DiskFull, new HcnErrorAdvice(
                $"ENOSPC: the file system holding {stateDirectory} is full (or the quota is used up), and wincnid records every change to pods' endpoints there.",
                $"Free space on it (`df -h {stateDirectory}`); requests succeed again as soon as there is room, without a restart."),
                text, exception);
        }

        var errno = exception is IOException io ? io.HResult : 0;
        var advice = errno switch
        {
            Erofs => new HcnErrorAdvice(
                $"EROFS: the file system holding {stateDirectory} is read-only (often remounted read-only after I/O errors).",
                "Check `dmesg` for file system errors, repair and remount it read-write, then restart wincnid."),
            Eio => new HcnErrorAdvice(
                $"EIO: the disk under {stateDirectory} reported an I/O error.",
                "Check `dmesg` and the disk's health; wincnid retries, but a failing disk needs replacing."),
            _ => new HcnErrorAdvice(
                $"{stateDirectory} could not be written ({exception.GetType().Name}): permissions, an immutable file or a failing file system.",
                $"Check the directory (`ls -la {stateDirectory}`, `lsattr`) and `dmesg`; wincnid retries the write with the next change."),
        };
        return new HcnException(operation, HcnErrorCodes.Fail, advice, text, exception);
    }
}
