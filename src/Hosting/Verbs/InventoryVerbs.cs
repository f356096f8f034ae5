using System.Globalization;
using System.Text.Json;
using RouterAdmin.Domain;
using RouterAdmin.Firewall.Apply;
using RouterAdmin.Inventory;
using RouterAdmin.Inventory.Bulk;
using RouterAdmin.Refusals;
using RouterAdmin.Security;

namespace RouterAdmin.Hosting.Verbs;

/// <summary>
/// The inventory from the command line, for a headless router and for scripts: the same services, validation and
/// audit log as the pages (the actor is <c>cli</c>). Every change waits for a running console's apply (the apply gate),
/// so it never lands in the middle of one. <c>--json</c> prints what a script reads instead of what a person does.
/// </summary>
internal static class InventoryVerbs
{
    public static readonly Actor Cli = new("cli", UserRole.Admin);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static async Task<int> RunAsync(string verb, IServiceProvider services, string[] args)
    {
        var words = new VerbArguments(args);
        try
        {
            return (verb, words.Positional.FirstOrDefault()) switch
            {
                ("clients", "list") => Print(words, await services.GetRequiredService<ClientService>().GetPageAsync(new PageRequest(0, int.MaxValue, words.Value("--search"))),
                    page => page.Items.Select(c => $"{c.Name}\t{c.LanAddress}\t{c.MacAddress ?? "-"}\t{(c.Enabled ? "" : "disabled\t")}{(c.Assignments.Count == 0 ? "not assigned" : string.Join(", ", c.Assignments))}")),
                ("clients", "add") => await ChangeAsync(services, words, async () => new { Id = await services.GetRequiredService<ClientService>().CreateAsync(new ClientDraft
                {
                    Name = words.Required("--name", "clients add"), LanAddress = words.Required("--address", "clients add"),
                    MacAddress = words.Value("--mac") ?? "", Notes = words.Value("--notes") ?? "", Enabled = !words.Has("--disabled"),
                }, Cli) }, created => $"Client {words.Value("--name")!.Trim()} created (#{created.Id})."),
                ("clients", "remove") => await RemoveAsync(services, words, "client", inventory => inventory.Client(words.At(1, "clients remove needs CLIENT")).Id,
                    services.GetRequiredService<ClientService>().GetDeletionImpactAsync, services.GetRequiredService<ClientService>().DeleteAsync),
                ("assign", _) => await AssignAsync(services, words),
                ("unassign", _) => await ChangeAsync(services, words, async () =>
                {
                    var assignment = (await LookupAsync(services)).Assignment(words.At(0, "unassign needs CLIENT ENDPOINT"), words.At(1, "unassign needs CLIENT ENDPOINT"));
                    await services.GetRequiredService<AssignmentService>().UnassignAsync(assignment.Id, Cli);
                    return new { assignment.Id };
                }, _ => $"Unassigned {words.Positional[0]} from {words.Positional[1]}."),
                ("endpoints", "list") => Print(words, await services.GetRequiredService<EndpointService>().ListAsync(words.Value("--search")),
                    rows => rows.Select(e => $"{e.Name}\t{e.Destination}\t{e.Total - e.Used} of {e.Total} free")),
                ("endpoints", "add") => await ChangeAsync(services, words, async () => new { Id = await services.GetRequiredService<EndpointService>().CreateAsync(new EndpointDraft
                {
                    Name = words.Required("--name", "endpoints add"), Destination = words.Required("--destination", "endpoints add"), Notes = words.Value("--notes") ?? "",
                }, Cli) }, created => $"VPN endpoint {words.Value("--name")!.Trim()} created (#{created.Id})."),
                ("endpoints", "remove") => await RemoveAsync(services, words, "VPN endpoint", inventory => inventory.Endpoint(words.At(1, "endpoints remove needs ENDPOINT")).Id,
                    services.GetRequiredService<EndpointService>().GetDeletionImpactAsync, services.GetRequiredService<EndpointService>().DeleteAsync),
                ("addresses", "list") => Print(words, await services.GetRequiredService<ExternalAddressService>().GetPageAsync(new PageRequest(0, int.MaxValue, words.Value("--search"))),
                    page => page.Items.Select(a => $"{a.Address}/{a.PrefixLength}\t{a.Interface}\t{(a.BindOnWan ? "bound by RouterAdmin" : "bound by hand")}\t{a.AssignmentCount} assignment(s)")),
                ("addresses", "add") => await ChangeAsync(services, words, async () => new { Id = await services.GetRequiredService<ExternalAddressService>().CreateAsync(new ExternalAddressDraft
                {
                    Address = words.Required("--address", "addresses add"), Interface = words.Required("--interface", "addresses add"),
                    PrefixLength = int.TryParse(words.Value("--prefix") ?? "24", NumberStyles.None, CultureInfo.InvariantCulture, out var prefix) ? prefix : -1,
                    BindOnWan = words.Has("--bind"), Notes = words.Value("--notes") ?? "",
                }, Cli) }, created => $"External address {words.Value("--address")!.Trim()} added (#{created.Id})."),
                ("addresses", "remove") => await RemoveAsync(services, words, "external address", inventory => inventory.Address(words.At(1, "addresses remove needs ADDRESS")).Id,
                    services.GetRequiredService<ExternalAddressService>().GetDeletionImpactAsync, services.GetRequiredService<ExternalAddressService>().DeleteAsync),
                ("import", _) => await BulkVerbs.ImportAsync(services, words),
                ("export", _) => await BulkVerbs.ExportAsync(services, words),
                _ => throw new VerbUsageException($"'{verb} {string.Join(' ', words.Positional)}' is not a verb; see RouterAdmin help."),
            };
        }
        catch (VerbUsageException e)
        {
            Console.Error.WriteLine(e.Message);
            return 2;
        }
        catch (Refusal refusal)
        {
            Console.Error.WriteLine(refusal is InvalidInput invalid ? string.Join(Environment.NewLine, invalid.Errors.ByField.SelectMany(f => f.Value.Select(m => $"{f.Key}: {m}"))) : refusal.Message);
            return 1;
        }
    }

    private static async Task<int> AssignAsync(IServiceProvider services, VerbArguments words) =>
        await ChangeAsync(services, words, async () =>
        {
            var inventory = await LookupAsync(services);
            var client = inventory.Client(words.At(0, "assign needs CLIENT ENDPOINT"));
            var endpoint = inventory.Endpoint(words.At(1, "assign needs CLIENT ENDPOINT"));
            var assignments = services.GetRequiredService<AssignmentService>();
            return words.Value("--address") is { } chosen
                ? await assignments.AssignAsync(client.Id, endpoint.Id, inventory.Address(chosen).Id, Cli)
                : await assignments.AssignFreeAsync(client.Id, endpoint.Id, Cli);
        }, row => $"{row.ClientName} ({row.ClientAddress}) leaves from {row.ExternalAddress} towards {row.EndpointName}. Preview and apply to put it on the router.");

    /// <summary>A deletion takes what it takes with it (the assignments), and says so.</summary>
    private static Task<int> RemoveAsync(IServiceProvider services, VerbArguments words, string what, Func<InventoryLookup, int> find,
        Func<int, CancellationToken, Task<DeletionImpact>> impactOf, Func<int, int, Actor, CancellationToken, Task> delete) =>
        ChangeAsync(services, words, async () =>
        {
            var id = find(await LookupAsync(services));
            var impact = await impactOf(id, CancellationToken.None);
            await delete(id, impact.AssignmentsRemoved.Count, Cli, CancellationToken.None);
            return impact;
        }, impact => $"Removed {impact.What}{(impact.AssignmentsRemoved.Count == 0 ? "" : $", with {string.Join("; ", impact.AssignmentsRemoved)}")}.");

    /// <summary>Runs one change while holding the apply gate: after a running apply, never during one.</summary>
    private static async Task<int> ChangeAsync<T>(IServiceProvider services, VerbArguments words, Func<Task<T>> change, Func<T, string> done) =>
        Print(words, await UnderGateAsync(services, change), r => [done(r)]);

    internal static async Task<T> UnderGateAsync<T>(IServiceProvider services, Func<Task<T>> change)
    {
        await using (await services.GetRequiredService<ApplyGate>().EnterAsync(Cli.Name, "inventory edit", services.GetRequiredService<TimeProvider>(), CancellationToken.None))
            return await change();
    }

    internal static int Print<T>(VerbArguments words, T value, Func<T, IEnumerable<string>> lines)
    {
        if (words.Json) Console.WriteLine(JsonSerializer.Serialize(value, Json));
        else foreach (var line in lines(value).Where(l => l.Length > 0)) Console.WriteLine(line);
        return 0;
    }

    private static async Task<InventoryLookup> LookupAsync(IServiceProvider services) =>
        new(await services.GetRequiredService<InventoryStore>().CaptureAsync());
}
