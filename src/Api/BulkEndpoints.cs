using System.Text;
using RouterAdmin.Inventory.Bulk;
using RouterAdmin.Refusals;
using RouterAdmin.Security;

namespace RouterAdmin.Api;

/// <summary>
/// The bulk half of the API: <c>POST /api/v1/clients/import</c> (a preview, or a confirmed import of the whole file) and
/// <c>GET /api/v1/export</c>. The file is the request body as it is, typed <c>text/csv</c> or <c>application/json</c>:
/// neither is a type a browser may send across sites without asking first, which with the SameSite cookie keeps the
/// import out of reach of other sites.
/// </summary>
internal static class BulkEndpoints
{
    /// <summary>Bigger than 10,000 clients with notes; a file beyond this is refused before it is read into memory.</summary>
    public const int MaxFileBytes = 16 * 1024 * 1024;

    public static void MapBulkApi(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapGroup("/api/v1").DisableAntiforgery().WithTags("Bulk import and export");

        api.MapPost("/clients/import", async (HttpContext http, BulkImportService import, string? mode, bool? skipRefused, string? fingerprint, CancellationToken ct) =>
        {
            if (FormatOf(http.Request.ContentType) is not { } format)
                return Results.Problem("Send the file as text/csv or application/json.", statusCode: StatusCodes.Status415UnsupportedMediaType);
            if (http.Request.ContentLength > MaxFileBytes)
                return Results.Problem($"The file is larger than {MaxFileBytes / 1024 / 1024} MiB.", statusCode: StatusCodes.Status413PayloadTooLarge);
            var text = await ReadAsync(http.Request, ct);
            try
            {
                var plan = mode switch
                {
                    null or "preview" => await import.PreviewAsync(text, format, ct),
                    "confirm" => await import.ImportAsync(text, format, new ImportConfirmation(skipRefused ?? false, fingerprint), UserService.ActorOf(http.User), ct),
                    _ => throw InvalidInput.For("mode", "The mode is preview (the default: nothing is written) or confirm."),
                };
                return Results.Ok(ImportPlanBody.Of(plan, written: mode == "confirm"));
            }
            catch (Refusal refusal)
            {
                return refusal.ToProblem();
            }
        }).RequireAuthorization(policy => policy.RequireRole(RoleNames.Admin));

        api.MapGet("/export", async (InventoryExport export, string? format, CancellationToken ct) =>
        {
            var kind = format?.ToLowerInvariant() switch
            {
                null or "json" => BulkFormat.Json,
                "csv" => BulkFormat.Csv,
                _ => (BulkFormat?)null,
            };
            if (kind is not { } chosen)
                return Results.ValidationProblem(new Dictionary<string, string[]> { ["format"] = ["The format is json or csv."] });
            var text = await export.WriteAsync(chosen, ct);
            var (type, extension) = chosen == BulkFormat.Csv ? ("text/csv", "csv") : ("application/json", "json");
            return Results.File(Encoding.UTF8.GetBytes(text), $"{type}; charset=utf-8", $"routeradmin-inventory.{extension}");
        }).RequireAuthorization(policy => policy.RequireRole(RoleNames.Admin, RoleNames.Viewer));
    }

    private static BulkFormat? FormatOf(string? contentType) =>
        contentType?.Split(';')[0].Trim().ToLowerInvariant() switch
        {
            "text/csv" => BulkFormat.Csv,
            "application/json" => BulkFormat.Json,
            _ => null,
        };

    private static async Task<string> ReadAsync(HttpRequest request, CancellationToken ct)
    {
        using var reader = new StreamReader(request.Body, Encoding.UTF8);
        var buffer = new char[64 * 1024];
        var text = new StringBuilder();
        int read;
        while ((read = await reader.ReadAsync(buffer, ct)) > 0)
        {
            text.Append(buffer, 0, read);
            if (text.Length > MaxFileBytes) throw new BadHttpRequestException("The file is too large.", StatusCodes.Status413PayloadTooLarge);
        }
        return text.ToString();
    }
}

/// <summary>A plan as the API answers it: counts, what is created, what is kept, what is refused and why, and its fingerprint.</summary>
internal sealed record ImportPlanBody(
    bool Written, string Fingerprint, int Endpoints, int ExternalAddresses, int Clients, int Assignments,
    IReadOnlyList<string> Creates, IReadOnlyList<KeptLine> Kept, IReadOnlyList<RefusedLine> Refused)
{
    public static ImportPlanBody Of(ImportPlan plan, bool written) =>
        new(written && plan.CreatesAnything, plan.Fingerprint, plan.Endpoints.Count, plan.ExternalAddresses.Count, plan.Clients.Count, plan.AssignmentCount,
            plan.Creates.ToArray(), plan.Kept, plan.Refused);
}
