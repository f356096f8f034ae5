using RouterAdmin.Inventory;

namespace RouterAdmin.Api;

/// <summary>/api/v1/addresses: the external addresses clients leave from (<see cref="ExternalAddressService"/>).</summary>
internal static class AddressesApi
{
    public static void MapAddressesApi(this RouteGroupBuilder api)
    {
        var addresses = api.MapGroup("/addresses").WithTags("External addresses");

        addresses.MapGet("", async (int? page, int? pageSize, string? search, string? sort, bool? descending, ExternalAddressService service, CancellationToken ct) =>
            Results.Ok(await service.GetPageAsync(ApiResults.Paging(page, pageSize, search, sort, descending), ct)));

        addresses.MapGet("/{id:int}", async (int id, HttpContext http, ExternalAddressService service, CancellationToken ct) =>
            ApiResults.Found(http, await service.GetDraftAsync(id, ct)));

        addresses.MapPost("", (ExternalAddressDraft draft, HttpContext http, ExternalAddressService service, CancellationToken ct) =>
            ApiResults.Run(http, async actor => new { Id = await service.CreateAsync(draft, actor, ct) }))
            .RequireAuthorization(ApiResults.Admins);

        addresses.MapPut("/{id:int}", (int id, ExternalAddressDraft draft, HttpContext http, ExternalAddressService service, CancellationToken ct) =>
            ApiResults.IfMatch(http, async () => await service.GetDraftAsync(id, ct), async actor =>
            {
                await service.UpdateAsync(id, draft, actor, ct);
                return ApiResults.Found(http, await service.GetDraftAsync(id, ct));
            }))
            .RequireAuthorization(ApiResults.Admins);

        addresses.MapDelete("/{id:int}", (int id, int? assignmentsRemoved, HttpContext http, ExternalAddressService service, CancellationToken ct) =>
            ApiResults.IfMatch(http, async () => await service.GetDraftAsync(id, ct), async actor =>
            {
                await service.DeleteAsync(id, assignmentsRemoved ?? 0, actor, ct);
                return Results.NoContent();
            }))
            .RequireAuthorization(ApiResults.Admins);
    }
}
