using System.Text.Json;
using Cni.Hcn.Errors;
using Cni.Hcn.Json;
using Cni.Hcn.Model;
using Cni.Hcn.Versioning;

namespace Cni.Hcn.Memory;

/// <summary>
/// An in-process HCN emulator with the semantics the daemon relies on: HNS-assigned GUIDs, the validation HNS does
/// (addresses inside the network's subnets, duplicate IPs, MACs, host ports and load-balancer frontends, unknown IDs,
/// namespace attach rules, policy type/settings checks), modify semantics, filtered enumeration and the error codes
/// documented on <see cref="IHcn"/>. Every object goes in and out through its HCN JSON (so callers never share state
/// with the store, and every test exercises the documents Windows sees). Thread-safe.
/// </summary>
/// <remarks>
/// For tests and benchmarks it counts calls per <see cref="MemoryHcnOperation"/> (<see cref="GetCallCount"/>), can
/// fail the next calls of an operation with a chosen HRESULT (<see cref="FailNext"/>), and can delay every call
/// (<see cref="Latency"/>, on the injected <see cref="TimeProvider"/>) to model real HNS, which takes tens of
/// milliseconds per call.
/// </remarks>
public sealed partial class MemoryHcn : IHcn
{
    private readonly Lock _gate = new();
    private readonly MemoryHcnInstrumentation _calls;
    private readonly MemoryHcnOptions _options;

    /// <summary>Creates an empty emulator with default options and the system clock.</summary>
    public MemoryHcn()
        : this(null, null)
    {
    }

    /// <summary>Creates an empty emulator.</summary>
    /// <param name="options">Version, management IP and default latency; defaults when null.</param>
    /// <param name="timeProvider">The clock latency is measured on; <see cref="TimeProvider.System"/> when null.</param>
    /// <param name="store">
    /// Where objects persist (the emulator owns it from here on): <see cref="LoadAsync"/> re-creates them, and every
    /// change is recorded into it. Null: objects live as long as the emulator.
    /// </param>
    public MemoryHcn(MemoryHcnOptions? options, TimeProvider? timeProvider = null, MemoryHcnStore? store = null)
    {
        _options = options ?? new MemoryHcnOptions();
        _calls = new MemoryHcnInstrumentation(timeProvider ?? TimeProvider.System, _options.Latency);
        _store = store;
    }

    /// <summary>Latency added to every call without its own (<see cref="SetLatency"/>); zero means none.</summary>
    public TimeSpan Latency
    {
        get => _calls.Latency;
        set => _calls.Latency = value;
    }

    /// <summary>Every call counted so far, over all operations.</summary>
    public long TotalCallCount => _calls.Total;

    /// <summary>Sets the latency of one operation, or (null) returns it to <see cref="Latency"/>.</summary>
    /// <param name="latency">The delay per call, or null.</param>
    public void SetLatency(MemoryHcnOperation operation, TimeSpan? latency) => _calls.SetLatency(operation, latency);

    /// <summary>
    /// Makes the next <paramref name="count"/> calls of <paramref name="operation"/> fail with
    /// <paramref name="hresult"/> (as <see cref="HcnException"/>) without changing any state. Registrations queue up.
    /// </summary>
    /// <param name="count">How many calls fail (≥ 1).</param>
    /// <param name="hresult">A failure HRESULT, e.g. <see cref="HcnErrorCodes.RpcServerUnavailable"/>.</param>
    public void FailNext(MemoryHcnOperation operation, int count, int hresult) => _calls.FailNext(operation, count, hresult);

    /// <summary>
    /// Lets <paramref name="passing"/> calls of <paramref name="operation"/> through, then fails the one after them
    /// with <paramref name="hresult"/> without changing any state: a fault at one chosen step of a longer sequence.
    /// Registrations queue up behind those of <see cref="FailNext"/>.
    /// </summary>
    /// <param name="passing">How many calls succeed first (≥ 0).</param>
    /// <param name="hresult">A failure HRESULT.</param>
    public void FailAfter(MemoryHcnOperation operation, int passing, int hresult) => _calls.FailAfter(operation, passing, hresult);

    /// <summary>Drops every queued injected failure.</summary>
    public void ClearFaults() => _calls.ClearFaults();

    /// <summary>How many times <paramref name="operation"/> was called (including failed calls).</summary>
    public long GetCallCount(MemoryHcnOperation operation) => _calls.GetCount(operation);

    /// <summary>The non-zero call counts.</summary>
    /// <returns>A snapshot.</returns>
    public IReadOnlyDictionary<MemoryHcnOperation, long> GetCallCounts() => _calls.Snapshot();

    /// <summary>Sets every call counter back to zero.</summary>
    public void ResetCallCounts() => _calls.ResetCounts();

    /// <inheritdoc/>
    public async Task<HcnVersion> GetVersionAsync(CancellationToken cancellationToken)
    {
        await _calls.EnterAsync(MemoryHcnOperation.GetVersion, "HNSCall GET /globals/version", cancellationToken).ConfigureAwait(false);
        return _options.Version;
    }

    private static string Describe(string export, object? subject) =>
        subject is null || (subject is string s && string.IsNullOrWhiteSpace(s)) ? export : $"{export} {subject}";

    /// <summary>
    /// The JSON round trip every object makes into the store: a deep copy the caller cannot reach, and the same
    /// document HNS would parse (a document that cannot be written or read back is HCN_E_INVALID_JSON).
    /// </summary>
    private static T CopyIn<T>(T value, string operation)
        where T : class
    {
        if (PlainCopy.TryCopy(value, out var plain))
        {
            return plain;
        }

        try
        {
            return HcnJson.Deserialize<T>(HcnJson.Serialize(value))
                ?? throw new HcnException(operation, HcnErrorCodes.InvalidJson, detail: "the document is null");
        }
        catch (Exception ex) when (ex is JsonException or NotSupportedException or InvalidOperationException)
        {
            throw new HcnException(operation, HcnErrorCodes.InvalidJson, detail: ex.Message, innerException: ex);
        }
    }

    /// <summary>The deep copy handed out, so callers cannot mutate stored state.</summary>
    private static T CopyOut<T>(T value)
        where T : class => PlainCopy.TryCopy(value, out var plain) ? plain : HcnJson.Deserialize<T>(HcnJson.Serialize(value))!;

    private static IReadOnlyList<T> CopyOut<T>(List<T> values)
        where T : class => values.ConvertAll(CopyOut);

    private static HostComputeQueryFilter FilterOf(HostComputeQuery? query) => query?.GetFilter() ?? new HostComputeQueryFilter();

    /// <summary>
    /// The filter keys wincni and hcsshim use. A key the object kind does not have (e.g. <c>Name</c> on a load
    /// balancer) matches nothing. <c>IsDefault</c> is ignored: it is a v1 namespace field that the v2 schema does not
    /// have (hcsshim hcn/hcnnamespace.go), so whether HNS honours it is unknown; the emulator assumes the worst, and
    /// callers select the host's default namespace by its <c>Type</c> (<see cref="HcnExtensions.FindHostDefaultNamespaceAsync"/>).
    /// </summary>
    private static bool Matches(HostComputeQueryFilter filter, Guid id, string? name = null, bool hasName = false,
        Guid? network = null, string? networkName = null)
    {
        if (filter.Id != Guid.Empty && filter.Id != id)
        {
            return false;
        }

        if (filter.Name is not null && (!hasName || !string.Equals(filter.Name, name, StringComparison.Ordinal)))
        {
            return false;
        }

        if (filter.VirtualNetwork != Guid.Empty && filter.VirtualNetwork != network)
        {
            return false;
        }

        if (filter.VirtualNetworkName is not null && !string.Equals(filter.VirtualNetworkName, networkName, StringComparison.Ordinal))
        {
            return false;
        }

        return true;
    }

    private static HcnException InvalidJson(string operation, Exception ex) =>
        new(operation, HcnErrorCodes.InvalidJson, detail: ex.Message, innerException: ex);
}
