using System.Collections.Concurrent;
using Cni.Hcn;

namespace Cni.Node.Tests.Services;

/// <summary>Records the order in which HCN operations completed (successful ones), to check the engine's write ordering.</summary>
internal sealed class OperationRecordingHcn(IHcn inner) : HcnDecorator(inner)
{
    private readonly ConcurrentQueue<string> _completed = new();

    public IReadOnlyList<string> Completed => [.. _completed];

    public void Clear() => _completed.Clear();

    protected override async Task<T> InvokeAsync<T>(string operation, Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        var result = await call(cancellationToken).ConfigureAwait(false);
        _completed.Enqueue(operation);
        return result;
    }
}
