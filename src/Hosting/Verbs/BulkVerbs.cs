using RouterAdmin.Inventory.Bulk;

namespace RouterAdmin.Hosting.Verbs;

/// <summary><c>import FILE</c> and <c>export</c>: the Clients page's upload and download, for scripts.</summary>
internal static class BulkVerbs
{
    public static async Task<int> ImportAsync(IServiceProvider services, VerbArguments words)
    {
        var path = words.At(0, "import needs FILE");
        var format = FormatOf(words.Value("--format") ?? (path.EndsWith(".csv", StringComparison.OrdinalIgnoreCase) ? "csv" : "json"));
        var text = await File.ReadAllTextAsync(path);
        var import = services.GetRequiredService<BulkImportService>();
        if (words.Has("--dry-run"))
            return Report(words, await import.PreviewAsync(text, format), written: false);
        var plan = await InventoryVerbs.UnderGateAsync(services, () => import.ImportAsync(text, format, new ImportConfirmation(words.Has("--skip-refused")), InventoryVerbs.Cli));
        return Report(words, plan, written: true);
    }

    public static async Task<int> ExportAsync(IServiceProvider services, VerbArguments words)
    {
        var text = await services.GetRequiredService<InventoryExport>().WriteAsync(FormatOf(words.Value("--format") ?? "json"));
        if (words.Value("--out") is { } file) await File.WriteAllTextAsync(file, text);
        else Console.Out.Write(text);
        return 0;
    }

    private static int Report(VerbArguments words, ImportPlan plan, bool written) =>
        InventoryVerbs.Print(words, new
        {
            Written = written && plan.CreatesAnything, plan.Fingerprint, Endpoints = plan.Endpoints.Count, ExternalAddresses = plan.ExternalAddresses.Count,
            Clients = plan.Clients.Count, Assignments = plan.AssignmentCount, Creates = plan.Creates.ToArray(), plan.Kept, plan.Refused,
        }, _ => [
            .. plan.Creates.Select(line => (written ? "created: " : "would create: ") + line),
            .. plan.Kept.Select(k => $"kept: {k.Where}: {k.What}"),
            .. plan.Refused.Select(r => $"refused: {r.Where}: {r.Field}: {r.Message}"),
            $"{(written ? "Imported" : "Would import")} {plan.Clients.Count} client(s) with {plan.AssignmentCount} assignment(s), {plan.Endpoints.Count} endpoint(s), {plan.ExternalAddresses.Count} external address(es); {plan.Refused.Count} line(s) refused.",
        ]);

    private static BulkFormat FormatOf(string text) => text.ToLowerInvariant() switch
    {
        "csv" => BulkFormat.Csv,
        "json" => BulkFormat.Json,
        _ => throw new VerbUsageException($"--format is json or csv, not {text}."),
    };
}
