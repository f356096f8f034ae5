using RouterAdmin.Inventory;

namespace RouterAdmin.Api;

/// <summary>/api/v1/endpoints: the VPN endpoints, their holders and free addresses (<see cref="EndpointService"/>).</summary>
internal static class EndpointsApi
{
    public static void MapEndpointsApi(this RouteGroupBuilder api)
    {
        var endpoints = api.MapGroup("/endpoints").WithTags("VPN endpoints");

        endpoints.MapGet("", async (string? search, EndpointService service, CancellationToken ct) =>
            Results.Ok(await service.ListAsync(search, ct)));

        endpoints.MapGet("/{id:int}", async (int id, HttpContext http, EndpointService service, CancellationToken ct) =>
            ApiResults.Found(http, await service.GetAsync(id, ct)));

        endpoints.MapGet("/{id:int}/free-addresses", async (int id, int? clientId, AssignmentService assignments, CancellationToken ct) =>
            Results.Ok(await assignments.GetFreeAddressesAsync(id, clientId, ct)));

        endpoints.MapPost("", (EndpointDraft draft, HttpContext http, EndpointService service, CancellationToken ct) =>
            ApiResults.Run(http, async actor => new { Id = await service.CreateAsync(draft, actor, ct) }))
            .RequireAuthorization(ApiResults.Admins);

        endpoints.MapPut("/{id:int}", (int id, EndpointDraft draft, HttpContext http, EndpointService service, CancellationToken ct) =>
            ApiResults.IfMatch(http, async () => await service.GetAsync(id, ct), async actor =>
            {
                await service.UpdateAsync(id, draft, actor, ct);
                return ApiResults.Found(http, await service.GetAsync(id, ct));
            }))
            .RequireAuthorization(ApiResults.Admins);

        endpoints.MapDelete("/{id:int}", (int id, int? assignmentsRemoved, HttpContext http, EndpointService service, CancellationToken ct) =>
            ApiResults.IfMatch(http, async () => await service.GetAsync(id, ct), async actor =>
            {
                await service.DeleteAsync(id, assignmentsRemoved ?? 0, actor, ct);
                return Results.NoContent();
            }))
            .RequireAuthorization(ApiResults.Admins);
    }
}
