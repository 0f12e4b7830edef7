using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Cni.StandInApiServer.Storage;

namespace Cni.StandInApiServer.Http;

/// <summary>The opaque <c>continue</c> value of a paged list: the snapshot's resourceVersion and the key of the last
/// item returned (base64 JSON like the real server's, though clients must not look inside).</summary>
internal sealed record ContinueToken(long ResourceVersion, string StartAfter)
{
    public string Encode() => Convert.ToBase64String(Encoding.UTF8.GetBytes(new JsonObject
    {
        ["v"] = "meta.k8s.io/v1",
        ["rv"] = ResourceVersion,
        ["start"] = StartAfter,
    }.ToJsonString())).Replace('+', '-').Replace('/', '_').TrimEnd('=');

    public static ContinueToken Decode(string text)
    {
        try
        {
            var base64 = text.Replace('-', '+').Replace('_', '/');
            base64 += new string('=', (4 - base64.Length % 4) % 4);
            var json = JsonNode.Parse(Convert.FromBase64String(base64))!.AsObject();
            return new((long)json["rv"]!, (string)json["start"]!);
        }
        catch (Exception e) when (e is FormatException or System.Text.Json.JsonException or InvalidOperationException or NullReferenceException)
        {
            throw ApiException.BadRequest(string.Create(CultureInfo.InvariantCulture, $"continue key is not valid: {e.Message}"));
        }
    }
}
