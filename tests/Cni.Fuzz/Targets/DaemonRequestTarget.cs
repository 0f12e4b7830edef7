using System.Text.Json;
using Cni.Node.Pods;
using Cni.Spec;
using Cni.Spec.Wire;

namespace Cni.Fuzz.Targets;

/// <summary>
/// What wincnid reads from a CNI socket connection once Kestrel has framed the HTTP request: the body, decoded as
/// <c>CniEndpoint</c> decodes it (<see cref="WireJsonContext"/>'s <see cref="DaemonRequest"/>) and validated by
/// <see cref="DaemonRequestReader.TryRead"/>, as any client of the socket is. The body is the part a client controls
/// byte for byte; Kestrel's own HTTP parser is not wincni's code. A finding is any exception other than
/// <see cref="JsonException"/> (answered as code 6), or an answer from the validator's catch-all.
/// </summary>
internal sealed class DaemonRequestTarget : IFuzzTarget
{
    public string Name => "daemon-request";

    public string Description => "the body of a request on wincnid's CNI socket (CniEndpoint's decoding, Cni.Node DaemonRequestReader)";

    public void Run(ReadOnlySpan<byte> input)
    {
        DaemonRequest? request;
        try
        {
            request = JsonSerializer.Deserialize(input, WireJsonContext.Default.DaemonRequest);
        }
        catch (JsonException)
        {
            return;
        }

        if (request is null || request.Config.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        if (!DaemonRequestReader.TryRead(request, out _, out var answer)
            && answer.Error is { Code: CniErrorCode.Internal } error
            && error.Msg.StartsWith("internal error", StringComparison.Ordinal))
        {
            throw new FuzzFindingException($"the validator's catch-all answered: {error.Msg} ({error.Details})");
        }
    }
}
