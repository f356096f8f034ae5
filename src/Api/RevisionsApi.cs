using RouterAdmin.History;

namespace RouterAdmin.Api;

/// <summary>/api/v1/revisions and /api/v1/audit: the history, read-only (<see cref="HistoryService"/>).</summary>
internal static class RevisionsApi
{
    public static void MapRevisionsApi(this RouteGroupBuilder api)
    {
        var revisions = api.MapGroup("/revisions").WithTags("Revisions");

        revisions.MapGet("", async (int? page, int? pageSize, string? search, HistoryService history, CancellationToken ct) =>
            Results.Ok(await history.GetRevisionsAsync(ApiResults.Paging(page, pageSize, search, null, null), ct)));

        revisions.MapGet("/{id:int}", async (int id, HttpContext http, HistoryService history, CancellationToken ct) =>
            ApiResults.Found(http, await history.GetDetailsAsync(id, ct) is { } d ? new { d.Revision, d.Commands, d.Transaction, d.RouterBefore } : null));

        revisions.MapGet("/{id:int}/diff", async (int id, HistoryService history, CancellationToken ct) =>
            await history.GetDetailsAsync(id, ct) is { } details
                ? Results.Ok(new { details.Revision.Id, Diff = string.Join('\n', details.Diff.Select(l => l.Unified)), InventoryChangesBack = await history.InventoryChangesBackToAsync(id, ct) })
                : Results.Problem("Not found.", statusCode: StatusCodes.Status404NotFound));

        api.MapGet("/audit", async (int? page, int? pageSize, string? search, HistoryService history, CancellationToken ct) =>
            Results.Ok(await history.GetAuditAsync(ApiResults.Paging(page, pageSize, search, null, null), ct)))
            .WithTags("Audit");
    }
}
