using RouterAdmin.Firewall.Apply;
using RouterAdmin.Firewall.Status;
using RouterAdmin.Inventory;
using RouterAdmin.Refusals;
using RouterAdmin.Security;

namespace RouterAdmin.Api;

/// <summary>
/// A small JSON API for scripts, with the same sign-in, roles, validation and preview-before-apply as the pages:
/// an apply must carry the fingerprint of the preview its caller looked at.
/// </summary>
internal static class ApiEndpoints
{
    public sealed record ApplyBody(string Reason, string Fingerprint, int? ConfirmSeconds);
    public sealed record AssignBody(int ClientId, int EndpointId, int? ExternalAddressId);

    public static void MapRouterAdminApi(this IEndpointRouteBuilder endpoints)
    {
        // JSON bodies only: a browser cannot send application/json across sites without CORS, and the cookie is SameSite=Strict.
        var api = endpoints.MapGroup("/api/v1").DisableAntiforgery();

        api.MapGet("/status", async (FirewallStatusMonitor monitor, CancellationToken ct) =>
        {
            var status = await monitor.RefreshAsync(ct);
            return Results.Ok(new { status.InSync, status.Pending, status.Drifted, status.BaselineRevisionId, status.Error, Backend = monitor.Backend.Name });
        });

        api.MapGet("/preview", async (ApplyEngine engine, CancellationToken ct) =>
        {
            var preview = await engine.PreviewApplyAsync(ct);
            return Results.Ok(new { preview.InSync, preview.Fingerprint, preview.RulesAdded, preview.RulesRemoved, Diff = preview.UnifiedDiff, RestoreScript = preview.Transaction, Changes = preview.Words.Mappings.Select(m => m.ToString()), preview.Words.Handover });
        });

        var admin = api.MapGroup("").RequireAuthorization(policy => policy.RequireRole(RoleNames.Admin));

        admin.MapPost("/apply", (ApplyBody body, HttpContext http, ApplyEngine engine, CancellationToken ct) =>
            Run(http, actor => engine.ApplyAsync(Request(actor, body), ct)));

        admin.MapPost("/revisions/{id:int}/rollback", (int id, ApplyBody body, HttpContext http, ApplyEngine engine, CancellationToken ct) =>
            Run(http, actor => engine.RollbackAsync(id, Request(actor, body), ct)));

        admin.MapPost("/clients", (ClientDraft draft, HttpContext http, ClientService clients, CancellationToken ct) =>
            Run(http, async actor => new { Id = await clients.CreateAsync(draft, actor, ct) }));

        admin.MapPost("/assignments", (AssignBody body, HttpContext http, AssignmentService assignments, CancellationToken ct) =>
            Run(http, actor => body.ExternalAddressId is { } address
                ? assignments.AssignAsync(body.ClientId, body.EndpointId, address, actor, ct)
                : assignments.AssignFreeAsync(body.ClientId, body.EndpointId, actor, ct)));
    }

    private static ApplyRequest Request(Actor actor, ApplyBody body) =>
        new(actor, body.Reason, body.Fingerprint, body.ConfirmSeconds is { } s ? TimeSpan.FromSeconds(s) : null);

    private static async Task<IResult> Run<T>(HttpContext http, Func<Actor, Task<T>> action)
    {
        try
        {
            var result = await action(UserService.ActorOf(http.User));
            return result switch
            {
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
}
