using Microsoft.EntityFrameworkCore;
using RouterAdmin.History;
using RouterAdmin.Inventory;
using RouterAdmin.Inventory.Bulk;
using RouterAdmin.Refusals;
using RouterAdmin.Tests.Support;

namespace RouterAdmin.Tests.Inventory.Bulk;

/// <summary>Clients from a file: a preview line by line, then all of the plan in one transaction or nothing.</summary>
public sealed class BulkImportSpecs
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private const string Employees = """
        name,lan_address,mac,notes,endpoints
        Ann O'Neil,192.168.1.10,52:54:00:12:34:56,"second floor, by the window",North
        Ben,192.168.1.11,,,North; South
        Cleo,192.168.1.12,,,
        """;

    [Fact]
    public async Task A_preview_of_employees_names_each_client_and_the_free_address_it_will_get_and_writes_nothing()
    {
        await using var console = await StartWithEndpointsAsync(addresses: 3);
        var before = (await console.Store.CaptureAsync(Ct)).ToJson();

        var plan = await console.Import.PreviewAsync(Employees, BulkFormat.Csv, Ct);

        Assert.Equal([
            "Client Ann O'Neil (192.168.1.10); → North from 203.0.113.10 (free)",
            "Client Ben (192.168.1.11); → North from 203.0.113.11 (free); → South from 203.0.113.10 (free)",
            "Client Cleo (192.168.1.12)",
        ], plan.Creates);
        Assert.Empty(plan.Refused);
        Assert.Equal(before, (await console.Store.CaptureAsync(Ct)).ToJson());
    }

    [Fact]
    public async Task Confirming_writes_every_client_and_assignment_with_the_pages_audit_entries_and_one_change_notification()
    {
        await using var console = await StartWithEndpointsAsync(addresses: 3);
        var notifications = 0;
        using var _ = console.Get<InventoryChanges>().NotifyOnChange(() => Interlocked.Increment(ref notifications));
        var preview = await console.Import.PreviewAsync(Employees, BulkFormat.Csv, Ct);

        var done = await console.Import.ImportAsync(Employees, BulkFormat.Csv, new ImportConfirmation(ExpectedFingerprint: preview.Fingerprint), TestConsole.Admin, Ct);

        Assert.Equal(preview.Fingerprint, done.Fingerprint);
        var ann = (await console.Clients.GetPageAsync(new PageRequest(0, 10, "Ann"), Ct)).Items.Single();
        Assert.Equal(("192.168.1.10", "52:54:00:12:34:56"), (ann.LanAddress, ann.MacAddress));
        Assert.Equal(["North → 203.0.113.10"], ann.Assignments);
        Assert.Equal("second floor, by the window", (await console.Clients.GetAsync(ann.Id, Ct))!.Notes);
        Assert.Equal(3, (await console.Store.CountAsync(Ct)).Clients);
        Assert.Equal(1, notifications);
        await using var db = await console.OpenDatabaseAsync();
        var audit = await db.Audit.AsNoTracking().Where(a => a.Actor == TestConsole.Admin.Name).OrderBy(a => a.Id).Select(a => a.Action + " " + a.Subject).ToListAsync(Ct);
        Assert.Equal([
            "client.create Client Ann O'Neil", "assignment.create Client Ann O'Neil → North",
            "client.create Client Ben", "assignment.create Client Ben → North", "assignment.create Client Ben → South",
            "client.create Client Cleo", "clients.import Bulk import",
        ], audit.SkipWhile(a => !a.StartsWith("client.create", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Every_bad_line_is_refused_with_its_field_and_reason_and_a_strict_import_writes_nothing()
    {
        await using var console = await StartWithEndpointsAsync(addresses: 1);
        await console.Clients.CreateAsync(new ClientDraft { Name = "Zed", LanAddress = "192.168.1.50" }, TestConsole.Admin, Ct);
        const string file = """
            name,lan_address,endpoints
            Ann,192.168.1.10,North
            ann,192.168.1.11,
            Ben,192.168.1.50,
            Cleo,192.168.1.300,
            Dora,192.168.1.13,Nowhere
            Eli,192.168.1.14,North
            Fay,192.168.1.15,North=203.0.113.99
            Gus,10.0.0.5,
            Hal,192.168.1.16,South
            """;
        var before = (await console.Store.CaptureAsync(Ct)).ToJson();

        var plan = await console.Import.PreviewAsync(file, BulkFormat.Csv, Ct);

        Assert.Equal(["Client Ann (192.168.1.10); → North from 203.0.113.10 (free)", "Client Hal (192.168.1.16); → South from 203.0.113.10 (free)"], plan.Creates);
        Assert.Equal([
            ("line 3", "Name", "Another client is already called ann."),
            ("line 4", "LanAddress", "192.168.1.50 is already used by client Zed."),
            ("line 5", "LanAddress", "\"192.168.1.300\" is not an IPv4 address; write it as four numbers, e.g. 192.168.1.2."),
            ("line 6", "Endpoints", "There is no VPN endpoint Nowhere; the endpoints are North, South."),
            ("line 7", "Endpoints", "No external address is left free for North: all 1 are taken by then. Add external addresses, or assign fewer clients."),
            ("line 8", "Endpoints", "\"203.0.113.99\" is not one of the external addresses (in the inventory or the file)."),
            ("line 9", "LanAddress", "10.0.0.5 is outside the LAN subnet 192.168.1.0/24; clients must be on the LAN."),
        ], plan.Refused.Select(r => (r.Where, r.Field, r.Message)));

        var refusal = await Assert.ThrowsAsync<InvalidInput>(() => console.Import.ImportAsync(file, BulkFormat.Csv, new ImportConfirmation(), TestConsole.Admin, Ct));
        Assert.Equal(["line 3", "line 4", "line 5", "line 6", "line 7", "line 8", "line 9"], refusal.Errors.ByField.Keys);
        Assert.Equal(before, (await console.Store.CaptureAsync(Ct)).ToJson());

        await console.Import.ImportAsync(file, BulkFormat.Csv, new ImportConfirmation(SkipRefused: true), TestConsole.Admin, Ct);
        Assert.Equal(3, (await console.Store.CountAsync(Ct)).Clients);
    }

    [Fact]
    public async Task An_address_a_later_line_names_is_not_handed_out_as_free_to_an_earlier_one()
    {
        await using var console = await StartWithEndpointsAsync(addresses: 2);
        const string file = """
            name,lan_address,endpoints
            Ann,192.168.1.10,North
            Ben,192.168.1.11,North=203.0.113.10
            """;

        var plan = await console.Import.PreviewAsync(file, BulkFormat.Csv, Ct);

        Assert.Empty(plan.Refused);
        Assert.Equal(["Client Ann (192.168.1.10); → North from 203.0.113.11 (free)", "Client Ben (192.168.1.11); → North from 203.0.113.10"], plan.Creates);
    }

    [Fact]
    public async Task A_confirmation_of_a_plan_that_has_since_changed_is_refused()
    {
        await using var console = await StartWithEndpointsAsync(addresses: 3);
        var preview = await console.Import.PreviewAsync(Employees, BulkFormat.Csv, Ct);
        await console.Clients.CreateAsync(new ClientDraft { Name = "Cleo", LanAddress = "192.168.1.40" }, TestConsole.Admin, Ct);

        var refusal = await Assert.ThrowsAsync<Conflict>(() =>
            console.Import.ImportAsync(Employees, BulkFormat.Csv, new ImportConfirmation(ExpectedFingerprint: preview.Fingerprint), TestConsole.Admin, Ct));

        Assert.Contains("changed since the preview", refusal.Message);
        Assert.Equal(1, (await console.Store.CountAsync(Ct)).Clients);
    }

    [Fact]
    public async Task A_viewer_may_preview_but_not_import()
    {
        await using var console = await StartWithEndpointsAsync(addresses: 3);

        await Assert.ThrowsAsync<Forbidden>(() => console.Import.ImportAsync(Employees, BulkFormat.Csv, new ImportConfirmation(), Actors.Viewer, Ct));

        Assert.Equal(0, (await console.Store.CountAsync(Ct)).Clients);
    }

    [Fact]
    public async Task A_JSON_array_of_clients_and_a_file_that_is_not_JSON()
    {
        await using var console = await StartWithEndpointsAsync(addresses: 1);

        var plan = await console.Import.PreviewAsync("""[{"name": "Ann", "lanAddress": "192.168.1.10", "endpoints": ["South"]}, {"name": "", "lanAddress": "192.168.1.11"}]""", BulkFormat.Json, Ct);
        var broken = await Assert.ThrowsAsync<InvalidInput>(() => console.Import.PreviewAsync("{\"clients\": [", BulkFormat.Json, Ct));

        Assert.Equal(["Client Ann (192.168.1.10); → South from 203.0.113.10 (free)"], plan.Creates);
        Assert.Equal([("clients[1]", "Name", "A name is required.")], plan.Refused.Select(r => (r.Where, r.Field, r.Message)));
        Assert.StartsWith("The file is not valid JSON for an inventory", broken.Errors.For("File"));
    }

    /// <summary>The simulated console with two endpoints, North and South, and external addresses from 203.0.113.10 up.</summary>
    internal static async Task<TestConsole> StartWithEndpointsAsync(int addresses)
    {
        var console = await TestConsole.StartAsync();
        await console.Endpoints.CreateAsync(new EndpointDraft { Name = "North", Destination = "198.51.100.10" }, TestConsole.Admin, Ct);
        await console.Endpoints.CreateAsync(new EndpointDraft { Name = "South", Destination = "198.51.100.20" }, TestConsole.Admin, Ct);
        for (var n = 0; n < addresses; n++)
            await console.Addresses.CreateAsync(new ExternalAddressDraft { Address = $"203.0.113.{10 + n}", Interface = "eth1" }, TestConsole.Admin, Ct);
        return console;
    }
}
