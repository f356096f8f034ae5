using System.Security.Cryptography;
using System.Text.Json;
using RouterAdmin.Firewall.Apply;
using RouterAdmin.Inventory;
using RouterAdmin.Refusals;
using RouterAdmin.Security;

namespace RouterAdmin.Api;

/// <summary>What every route shares: the caller as an <see cref="Actor"/>, refusals as problem details, paging, and ETags.</summary>
internal static class ApiResults
{
    public const string Admins = "api-admin";

    private static readonly JsonSerializerOptions EtagJson = new(JsonSerializerDefaults.Web);

    /// <summary>Runs a service call as the caller; a refusal becomes its problem details, a failed apply a 500 with the step.</summary>
    public static async Task<IResult> Run<T>(HttpContext http, Func<Actor, Task<T>> action)
    {
        try
        {
            var result = await action(UserService.ActorOf(http.User));
            return result switch
            {
                IResult ready => ready,
                ApplyResult { Kind: ApplyResultKind.Refused } refused => refused.ToProblem(),
                // A script that checks only the status must not take a failed apply for a good one.
                ApplyResult { Kind: ApplyResultKind.Failed } failed => Results.Json(failed, statusCode: StatusCodes.Status500InternalServerError),
                _ => Results.Ok(result),
            };
        }
        catch (Refusal refusal)
        {
            return refusal.ToProblem();
        }
    }

    public static Task<IResult> Run(HttpContext http, Func<Actor, Task> action) =>
        Run(http, async actor =>
        {
            await action(actor);
            return Results.NoContent();
        });

    /// <summary>The pages' paging: <c>page</c> from 0, <c>pageSize</c> 1 to 500, a search and a sort key (<see cref="SortKeys"/>).</summary>
    public static PageRequest Paging(int? page, int? pageSize, string? search, string? sort, bool? descending) =>
        new(Math.Max(0, page ?? 0), Math.Clamp(pageSize ?? 50, 1, 500), search, sort, descending ?? false);

    /// <summary>A strong validator of what a GET returned: a hash of its JSON, so any change of any field changes it.</summary>
    public static string ETagOf(object representation) =>
        "\"" + Convert.ToHexStringLower(SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(representation, representation.GetType(), EtagJson)))[..32] + "\"";

    /// <summary>200 with the representation and its ETag, or 404 when it does not exist.</summary>
    public static IResult Found(HttpContext http, object? representation)
    {
        if (representation is null) return Results.Problem("Not found.", statusCode: StatusCodes.Status404NotFound);
        http.Response.Headers.ETag = ETagOf(representation);
        return Results.Ok(representation);
    }

    /// <summary>
    /// A write that names the version it was based on (<c>If-Match</c>) runs only if nobody changed the resource since;
    /// else 412 and nothing is written. The check and the write are two steps, so a change landing between them wins the race:
    /// the pages have the same window.
    /// </summary>
    public static async Task<IResult> IfMatch(HttpContext http, Func<Task<object?>> current, Func<Actor, Task<IResult>> write)
    {
        var wanted = http.Request.Headers.IfMatch.ToString();
        if (wanted.Length > 0 && wanted != "*")
        {
            var now = await current();
            if (now is null) return Results.Problem("Not found.", statusCode: StatusCodes.Status404NotFound);
            if (!wanted.Split(',').Select(t => t.Trim()).Contains(ETagOf(now)))
                return Results.Problem("Someone changed this since you read it; nothing was written. Read it again and retry.",
                    statusCode: StatusCodes.Status412PreconditionFailed, title: "Changed since it was read");
        }
        return await Run(http, write);
    }
}
