using System.Text;
using System.Text.Json.Nodes;
using Cni.StandInApiServer.Storage;
using Microsoft.AspNetCore.Http;

namespace Cni.StandInApiServer.Http;

/// <summary>Writing JSON bodies and Status errors the way the real server does.</summary>
internal static class JsonResponses
{
    public static async Task WriteAsync(HttpContext ctx, int code, JsonNode body)
    {
        var bytes = Encoding.UTF8.GetBytes(body.ToJsonString());
        ctx.Response.StatusCode = code;
        ctx.Response.ContentType = "application/json";
        ctx.Response.ContentLength = bytes.Length;
        await ctx.Response.Body.WriteAsync(bytes, ctx.RequestAborted).ConfigureAwait(false);
    }

    public static Task WriteStatusAsync(HttpContext ctx, ApiException error) => WriteAsync(ctx, error.Code, error.ToStatus());

    public static JsonObject Success(string name, string plural, string? group, string? uid)
    {
        var details = new JsonObject { ["name"] = name };
        if (!string.IsNullOrEmpty(group)) details["group"] = group;
        details["kind"] = plural;
        if (uid is not null) details["uid"] = uid;
        return new JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject(),
            ["status"] = "Success",
            ["details"] = details,
        };
    }
}
