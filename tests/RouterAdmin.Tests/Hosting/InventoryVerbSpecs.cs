using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using RouterAdmin.Inventory.Bulk;

namespace RouterAdmin.Tests.Hosting;

/// <summary>The inventory verbs, run as the real executable on the console's database, as a script on a headless router would.</summary>
public sealed class InventoryVerbSpecs
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_headless_router_is_set_up_from_the_command_line_through_the_same_services_and_audit_as_the_pages()
    {
        await using var console = await TestConsole.StartAsync();
        var file = Path.Combine(console.Directory, "employees.csv");
        await File.WriteAllTextAsync(file, "name,lan_address,endpoints\nBen,192.168.1.11,North\nCleo,192.168.1.12,North\n", Ct);

        var endpoint = await RunAsync(console, "endpoints", "add", "--name", "North", "--destination", "198.51.100.10", "--json");
        Assert.Equal(0, endpoint.Code);
        Assert.True(JsonDocument.Parse(endpoint.Output).RootElement.GetProperty("id").GetInt32() > 0);
        foreach (var address in new[] { "203.0.113.10", "203.0.113.11" })
            Assert.Equal(0, (await RunAsync(console, "addresses", "add", "--address", address, "--interface", "eth1")).Code);
        Assert.Equal((0, "Client Ann created (#1).\n"), await RunAsync(console, "clients", "add", "--name", "Ann", "--address", "192.168.1.10"));
        var imported = await RunAsync(console, "import", file);
        Assert.Equal(0, imported.Code);
        Assert.Contains("created: Client Ben (192.168.1.11); → North from 203.0.113.10 (free)", imported.Output);
        Assert.Contains("Imported 2 client(s) with 2 assignment(s)", imported.Output);

        var full = await RunAsync(console, "assign", "Ann", "North");
        Assert.Equal(1, full.Code);
        Assert.Contains("No external address is free for North: all 2 are in use.", full.Output);
        Assert.Equal((0, "Unassigned Ben from North.\n"), await RunAsync(console, "unassign", "Ben", "North"));
        var assigned = await RunAsync(console, "assign", "192.168.1.10", "North", "--json");
        Assert.Equal(0, assigned.Code);
        Assert.Equal("203.0.113.10", JsonDocument.Parse(assigned.Output).RootElement.GetProperty("externalAddress").GetString());
        Assert.Equal((0, "Removed client Cleo (192.168.1.12), with Cleo → North via 203.0.113.11.\n"), await RunAsync(console, "clients", "remove", "Cleo"));

        var listed = await RunAsync(console, "clients", "list", "--json");
        Assert.Equal(["Ann", "Ben"], JsonDocument.Parse(listed.Output).RootElement.GetProperty("items").EnumerateArray().Select(c => c.GetProperty("name").GetString()));
        var exported = await RunAsync(console, "export", "--format", "csv");
        Assert.Equal(await console.Export.WriteAsync(BulkFormat.Csv, Ct), exported.Output);
        await using var db = await console.OpenDatabaseAsync();
        var byCli = await db.Audit.AsNoTracking().Where(a => a.Actor == "cli").OrderBy(a => a.Id).Select(a => a.Action).ToListAsync(Ct);
        Assert.Equal(["endpoint.create", "external.create", "external.create", "client.create", "client.create", "assignment.create", "client.create",
            "assignment.create", "clients.import", "assignment.delete", "assignment.create", "client.delete"], byCli);
    }

    [Fact]
    public async Task A_file_with_a_refused_line_imports_nothing_says_which_line_and_why_and_fails()
    {
        await using var console = await TestConsole.StartAsync();
        var file = Path.Combine(console.Directory, "employees.json");
        await File.WriteAllTextAsync(file, """[{"name": "Ann", "lanAddress": "192.168.1.10"}, {"name": "Ben", "lanAddress": "192.168.1.10"}]""", Ct);

        var dryRun = await RunAsync(console, "import", file, "--dry-run");
        var strict = await RunAsync(console, "import", file);

        Assert.Equal(0, dryRun.Code);
        Assert.Contains("refused: clients[1]: LanAddress: 192.168.1.10 is already used by client Ann.", dryRun.Output);
        Assert.Equal((1, "clients[1]: LanAddress: 192.168.1.10 is already used by client Ann.\n"), strict);
        Assert.Equal(0, (await console.Store.CountAsync(Ct)).Clients);
    }

    [Fact]
    public async Task A_verb_called_wrongly_says_how_to_call_it()
    {
        await using var console = await TestConsole.StartAsync();

        Assert.Equal((2, "clients add needs --address.\n"), await RunAsync(console, "clients", "add", "--name", "Ann"));
    }

    // The test database's folder is wider than the console likes, and it says so: not what these specs read.
    private static readonly Dictionary<string, string?> Quiet = new() { ["Logging:LogLevel:Default"] = "Error" };

    private static Task<(int Code, string Output)> RunAsync(TestConsole console, params string[] arguments) =>
        ConsoleProcess.RunAsync(console, arguments, Ct, Quiet);
}
