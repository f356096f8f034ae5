using RouterAdmin.Inventory;

namespace RouterAdmin.Api;

/// <summary>/api/v1/assignments: who leaves through which address towards which endpoint (<see cref="AssignmentService"/>).</summary>
internal static class AssignmentsApi
{
    /// <summary>Without an address, the lowest free one towards the endpoint, as the page's "assign a free address".</summary>
    public sealed record AssignBody(int ClientId, int EndpointId, int? ExternalAddressId);

    public sealed record ReassignBody(int ExternalAddressId);

    public static void MapAssignmentsApi(this RouteGroupBuilder api)
    {
        var assignments = api.MapGroup("/assignments").WithTags("Assignments");

        assignments.MapGet("", async (int? page, int? pageSize, string? search, string? sort, bool? descending, int? endpointId,
                AssignmentService service, CancellationToken ct) =>
            Results.Ok(await service.GetPageAsync(ApiResults.Paging(page, pageSize, search, sort, descending), endpointId, ct)));

        assignments.MapPost("", (AssignBody body, HttpContext http, AssignmentService service, CancellationToken ct) =>
            ApiResults.Run(http, actor => body.ExternalAddressId is { } address
                ? service.AssignAsync(body.ClientId, body.EndpointId, address, actor, ct)
                : service.AssignFreeAsync(body.ClientId, body.EndpointId, actor, ct)))
            .RequireAuthorization(ApiResults.Admins);

        // A move to an address someone else holds is refused (409), never taken over.
        assignments.MapPut("/{id:int}", (int id, ReassignBody body, HttpContext http, AssignmentService service, CancellationToken ct) =>
            ApiResults.Run(http, actor => service.ReassignAsync(id, body.ExternalAddressId, actor, ct)))
            .RequireAuthorization(ApiResults.Admins);

        assignments.MapDelete("/{id:int}", (int id, HttpContext http, AssignmentService service, CancellationToken ct) =>
            ApiResults.Run(http, actor => service.UnassignAsync(id, actor, ct)))
            .RequireAuthorization(ApiResults.Admins);
    }
}
