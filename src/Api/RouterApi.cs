using RouterAdmin.Firewall.Apply;
using RouterAdmin.Firewall.Diff;
using RouterAdmin.Firewall.Status;
using RouterAdmin.Inventory;

namespace RouterAdmin.Api;

/// <summary>
/// The router itself: its status, who is active, the preview of an apply and the apply, which must carry the fingerprint
/// of the preview its caller looked at (a different one is refused with 409), and the confirmation of a timed apply.
/// </summary>
internal static class RouterApi
{
    /// <summary>With <see cref="ConfirmSeconds"/> the change rolls itself back unless confirmed within that many seconds.</summary>
    public sealed record ApplyBody(string Reason, string Fingerprint, int? ConfirmSeconds);

    public static void MapRouterApi(this RouteGroupBuilder api)
    {
        var router = api.MapGroup("").WithTags("Router");

        router.MapGet("/status", async (FirewallStatusMonitor monitor, ConfirmationService confirmations, CancellationToken ct) =>
        {
            var status = await monitor.RefreshAsync(ct);
            return Results.Ok(new
            {
                status.InSync, status.Pending, status.Drifted, status.BaselineRevisionId, status.Error, Backend = monitor.Backend.Name,
                status.ImportOffer, status.Handover, AwaitingConfirmation = confirmations.Pending,
            });
        });

        router.MapGet("/activity", async (int? page, int? pageSize, string? search, FirewallStatusMonitor monitor, ActivityReader activity, CancellationToken ct) =>
        {
            var status = await monitor.RefreshAsync(ct);
            if (status.Live is not { } live)
                return Results.Problem(status.Error ?? "The router could not be read.", statusCode: StatusCodes.Status503ServiceUnavailable);
            return Results.Ok(await activity.ReadPageAsync(live, ApiResults.Paging(page, pageSize, search, null, null), ct));
        });

        router.MapGet("/preview", async (ApplyEngine engine, CancellationToken ct) => Results.Ok(Shown(await engine.PreviewApplyAsync(ct))));

        router.MapPost("/apply", (ApplyBody body, HttpContext http, ApplyEngine engine, CancellationToken ct) =>
            ApiResults.Run(http, actor => engine.ApplyAsync(Request(actor, body), ct)))
            .RequireAuthorization(ApiResults.Admins);

        router.MapPost("/revisions/{id:int}/confirm", (int id, HttpContext http, ConfirmationService confirmations, CancellationToken ct) =>
            ApiResults.Run(http, actor => confirmations.ConfirmAsync(id, actor, ct)))
            .WithTags("Revisions")
            .RequireAuthorization(ApiResults.Admins);

        // What a rollback to the revision would change, with the fingerprint its POST must carry.
        router.MapGet("/revisions/{id:int}/rollback", async (int id, ApplyEngine engine, History.HistoryService history, CancellationToken ct) =>
            await history.GetRevisionAsync(id, ct) is null
                ? Results.Problem("Not found.", statusCode: StatusCodes.Status404NotFound)
                : Results.Ok(Shown(await engine.PreviewRollbackAsync(id, ct))))
            .WithTags("Revisions");

        router.MapPost("/revisions/{id:int}/rollback", (int id, ApplyBody body, HttpContext http, ApplyEngine engine, CancellationToken ct) =>
            ApiResults.Run(http, actor => engine.RollbackAsync(id, Request(actor, body), ct)))
            .WithTags("Revisions")
            .RequireAuthorization(ApiResults.Admins);
    }

    /// <summary>A preview as a script reads it: the fingerprint to apply with, the counts, the diff and the exact transaction.</summary>
    public sealed record PreviewView(bool InSync, string Fingerprint, int RulesAdded, int RulesRemoved, string Diff, string RestoreScript,
        IEnumerable<string> Changes, string? Handover);

    private static PreviewView Shown(ChangePreview preview) =>
        new(preview.InSync, preview.Fingerprint, preview.RulesAdded, preview.RulesRemoved, preview.UnifiedDiff, preview.Transaction,
            preview.Words.Mappings.Select(m => m.ToString()).ToArray(), preview.Words.Handover);

    private static ApplyRequest Request(Security.Actor actor, ApplyBody body) =>
        new(actor, body.Reason, body.Fingerprint, body.ConfirmSeconds is { } s ? TimeSpan.FromSeconds(s) : null);
}
