using System.Runtime.InteropServices;

namespace Cni.Hcn.Kernel.Interop;

/// <summary>
/// The few libnftables calls wincni needs (nftables' own library, <c>libnftables.so.1</c> from the Debian package
/// <c>libnftables1</c>, which the <c>nftables</c> package depends on): a context, buffered output and errors, and
/// running nft text. Loaded from a configurable path at run time, so a node without it fails with a clear message
/// instead of a type-load error.
/// </summary>
internal sealed unsafe class Libnftables
{
    private readonly delegate* unmanaged<uint, nint> _ctxNew;
    private readonly delegate* unmanaged<nint, void> _ctxFree;
    private readonly delegate* unmanaged<nint, int> _bufferOutput;
    private readonly delegate* unmanaged<nint, int> _bufferError;
    private readonly delegate* unmanaged<nint, byte*> _outputBuffer;
    private readonly delegate* unmanaged<nint, byte*> _errorBuffer;
    private readonly delegate* unmanaged<nint, byte*, int> _runFromBuffer;

    private Libnftables(nint library)
    {
        _ctxNew = (delegate* unmanaged<uint, nint>)NativeLibrary.GetExport(library, "nft_ctx_new");
        _ctxFree = (delegate* unmanaged<nint, void>)NativeLibrary.GetExport(library, "nft_ctx_free");
        _bufferOutput = (delegate* unmanaged<nint, int>)NativeLibrary.GetExport(library, "nft_ctx_buffer_output");
        _bufferError = (delegate* unmanaged<nint, int>)NativeLibrary.GetExport(library, "nft_ctx_buffer_error");
        _outputBuffer = (delegate* unmanaged<nint, byte*>)NativeLibrary.GetExport(library, "nft_ctx_get_output_buffer");
        _errorBuffer = (delegate* unmanaged<nint, byte*>)NativeLibrary.GetExport(library, "nft_ctx_get_error_buffer");
        _runFromBuffer = (delegate* unmanaged<nint, byte*, int>)NativeLibrary.GetExport(library, "nft_run_cmd_from_buffer");
    }

    /// <summary>Loads the library at <paramref name="path"/> (a file name is looked up as dlopen does).</summary>
    /// <exception cref="DllNotFoundException">It cannot be loaded.</exception>
    /// <exception cref="EntryPointNotFoundException">It lacks one of the calls.</exception>
    public static Libnftables Load(string path) => new(NativeLibrary.Load(path));

    /// <summary><c>nft_ctx_new(0)</c> with output and errors buffered; the netlink socket is opened here, in the calling thread's namespace.</summary>
    public nint NewContext()
    {
        var context = _ctxNew(0);
        if (context == 0)
        {
            return 0;
        }

        _ = _bufferOutput(context);
        _ = _bufferError(context);
        return context;
    }

    /// <summary><c>nft_ctx_free</c>.</summary>
    public void FreeContext(nint context) => _ctxFree(context);

    /// <summary><c>nft_run_cmd_from_buffer</c>: 0 on success; output and errors are read from the buffers afterwards.</summary>
    public int Run(nint context, string commands)
    {
        var text = System.Text.Encoding.UTF8.GetBytes(commands + "\0");
        fixed (byte* buffer = text)
        {
            return _runFromBuffer(context, buffer);
        }
    }

    /// <summary>What the last run printed (the buffer is rewound for the next run).</summary>
    public string Output(nint context) => Marshal.PtrToStringUTF8((nint)_outputBuffer(context)) ?? string.Empty;

    /// <summary>What the last run reported as errors.</summary>
    public string Error(nint context) => Marshal.PtrToStringUTF8((nint)_errorBuffer(context)) ?? string.Empty;
}
