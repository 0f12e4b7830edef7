namespace Cni.Hcn.Kernel.Concurrency;

/// <summary>A lock holding: runs its release action once, on the first Dispose.</summary>
internal sealed class Releaser : IDisposable
{
    private Action? _release;

    public Releaser(Action release) => _release = release;

    public void Dispose() => Interlocked.Exchange(ref _release, null)?.Invoke();
}
