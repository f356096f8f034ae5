using RouterAdmin.Import;

namespace RouterAdmin.Api;

/// <summary>/api/v1/import: hand-written rules found on the router, taking them over, and adopting a drifted router (<see cref="ImportService"/>).</summary>
internal static class ImportApi
{
    public sealed record ImportBody(IReadOnlyList<string> RuleLines, bool UseSuggestedSettings);

    public sealed record AdoptBody(string Reason);

    public sealed record CandidateView(string RuleLine, bool Importable, string? SkipReason, string? Source, string? Destination, string? ToSource);

    public static void MapImportApi(this RouteGroupBuilder api)
    {
        var import = api.MapGroup("/import").WithTags("Import");

        import.MapGet("", async (ImportService service, CancellationToken ct) =>
        {
            var proposal = await service.ScanAsync(ct);
            return Results.Ok(new
            {
                Candidates = proposal.Candidates.Select(c => new CandidateView(c.RuleLine, c.Importable, c.SkipReason,
                    c.Mapping?.Source.ToString(), c.Mapping?.Destination.ToString(), c.Mapping?.ToSource.ToString())).ToArray(),
                proposal.MasqueradeRule, proposal.SuggestedWanInterface, SuggestedLanSubnet = proposal.SuggestedLanSubnet?.ToString(),
            });
        });

        import.MapPost("", (ImportBody body, HttpContext http, ImportService service, CancellationToken ct) =>
            ApiResults.Run(http, actor => service.ImportAsync(body.RuleLines, body.UseSuggestedSettings, actor, ct)))
            .RequireAuthorization(ApiResults.Admins);

        import.MapPost("/adopt", (AdoptBody body, HttpContext http, ImportService service, CancellationToken ct) =>
            ApiResults.Run(http, actor => service.AdoptAsync(body.Reason, actor, ct)))
            .RequireAuthorization(ApiResults.Admins);
    }
}
