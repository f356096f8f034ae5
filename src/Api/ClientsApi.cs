using RouterAdmin.Inventory;

namespace RouterAdmin.Api;

/// <summary>/api/v1/clients: the Clients page over HTTP, with the same <see cref="ClientService"/> behind it.</summary>
internal static class ClientsApi
{
    public static void MapClientsApi(this RouteGroupBuilder api)
    {
        var clients = api.MapGroup("/clients").WithTags("Clients");

        clients.MapGet("", async (int? page, int? pageSize, string? search, string? sort, bool? descending, ClientService service, CancellationToken ct) =>
            Results.Ok(await service.GetPageAsync(ApiResults.Paging(page, pageSize, search, sort, descending), ct)));

        clients.MapGet("/{id:int}", async (int id, HttpContext http, ClientService service, CancellationToken ct) =>
            ApiResults.Found(http, await service.GetAsync(id, ct)));

        clients.MapPost("", (ClientDraft draft, HttpContext http, ClientService service, CancellationToken ct) =>
            ApiResults.Run(http, async actor => new { Id = await service.CreateAsync(draft, actor, ct) }))
            .RequireAuthorization(ApiResults.Admins);

        clients.MapPut("/{id:int}", (int id, ClientDraft draft, HttpContext http, ClientService service, CancellationToken ct) =>
            ApiResults.IfMatch(http, async () => await service.GetAsync(id, ct), async actor =>
            {
                await service.UpdateAsync(id, draft, actor, ct);
                return ApiResults.Found(http, await service.GetAsync(id, ct));
            }))
            .RequireAuthorization(ApiResults.Admins);

        // The count of assignments the caller saw go with it, as the page's confirmation asks: a surprise is refused (409).
        clients.MapDelete("/{id:int}", (int id, int? assignmentsRemoved, HttpContext http, ClientService service, CancellationToken ct) =>
            ApiResults.IfMatch(http, async () => await service.GetAsync(id, ct), async actor =>
            {
                await service.DeleteAsync(id, assignmentsRemoved ?? 0, actor, ct);
                return Results.NoContent();
            }))
            .RequireAuthorization(ApiResults.Admins);
    }
}
