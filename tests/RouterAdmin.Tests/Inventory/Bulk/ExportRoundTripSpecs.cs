using RouterAdmin.Inventory;
using RouterAdmin.Inventory.Bulk;

namespace RouterAdmin.Tests.Inventory.Bulk;

/// <summary>What the export writes, the import takes back unchanged.</summary>
public sealed class ExportRoundTripSpecs
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(BulkFormat.Json)]
    [InlineData(BulkFormat.Csv)]
    public async Task Exporting_importing_into_an_empty_console_and_exporting_again_gives_the_same_file(BulkFormat format)
    {
        await using var source = await TestConsole.StartAsync();
        await SeedAsync(source);
        var exported = await source.Export.WriteAsync(format, Ct);

        await using var empty = await TestConsole.StartAsync();
        var plan = await empty.Import.ImportAsync(exported, format, new ImportConfirmation(), TestConsole.Admin, Ct);
        var again = await empty.Export.WriteAsync(format, Ct);

        Assert.Empty(plan.Refused);
        Assert.Equal((2, 3, 3, 4), (plan.Endpoints.Count, plan.ExternalAddresses.Count, plan.Clients.Count, plan.AssignmentCount));
        Assert.Equal(exported, again);
        Assert.Equal(
            (await source.Assignments.GetPageAsync(new PageRequest(0, 100), ct: Ct)).Items.Select(a => $"{a.ClientName} {a.EndpointName} {a.ExternalAddress} {a.ClientEnabled}"),
            (await empty.Assignments.GetPageAsync(new PageRequest(0, 100), ct: Ct)).Items.Select(a => $"{a.ClientName} {a.EndpointName} {a.ExternalAddress} {a.ClientEnabled}"));
    }

    [Fact]
    public async Task The_CSV_export_holds_the_whole_inventory_one_row_each_saying_what_it_is()
    {
        await using var source = await TestConsole.StartAsync();
        await SeedAsync(source);

        var csv = await source.Export.WriteAsync(BulkFormat.Csv, Ct);

        Assert.Equal("""
            record,name,address,interface,prefix,bind,mac,enabled,notes,assignments
            endpoint,North,198.51.100.0/24,,,,,,,
            endpoint,South,192.0.2.200,,,,,,"the ""old"" one",
            external,,203.0.113.4,eth1,24,true,,,,
            external,,203.0.113.5,eth1,24,false,,,,
            external,,203.0.113.20,eth1,28,false,,,spare,
            client,Ann O'Neil,192.168.1.10,,,,52:54:00:12:34:56,true,"desk 4, second floor
            ask before moving",North=203.0.113.5; South=203.0.113.5
            client,Ben,192.168.1.11,,,,,false,,North=203.0.113.4
            client,Cleo,192.168.1.9,,,,,true,,South=203.0.113.20

            """.Replace("\r\n", "\n"), csv);
    }

    private static async Task SeedAsync(TestConsole console)
    {
        var admin = TestConsole.Admin;
        var north = await console.Endpoints.CreateAsync(new EndpointDraft { Name = "North", Destination = "198.51.100.0/24" }, admin, Ct);
        var south = await console.Endpoints.CreateAsync(new EndpointDraft { Name = "South", Destination = "192.0.2.200", Notes = "the \"old\" one" }, admin, Ct);
        var four = await console.Addresses.CreateAsync(new ExternalAddressDraft { Address = "203.0.113.4", Interface = "eth1", BindOnWan = true }, admin, Ct);
        var five = await console.Addresses.CreateAsync(new ExternalAddressDraft { Address = "203.0.113.5", Interface = "eth1" }, admin, Ct);
        var twenty = await console.Addresses.CreateAsync(new ExternalAddressDraft { Address = "203.0.113.20", Interface = "eth1", PrefixLength = 28, Notes = "spare" }, admin, Ct);
        var ann = await console.Clients.CreateAsync(new ClientDraft { Name = "Ann O'Neil", LanAddress = "192.168.1.10", MacAddress = "52-54-00-12-34-56", Notes = "desk 4, second floor\nask before moving" }, admin, Ct);
        var ben = await console.Clients.CreateAsync(new ClientDraft { Name = "Ben", LanAddress = "192.168.1.11", Enabled = false }, admin, Ct);
        var cleo = await console.Clients.CreateAsync(new ClientDraft { Name = "Cleo", LanAddress = "192.168.1.9" }, admin, Ct);
        await console.Assignments.AssignAsync(ann, north, five, admin, Ct);
        await console.Assignments.AssignAsync(ann, south, five, admin, Ct);
        await console.Assignments.AssignAsync(ben, north, four, admin, Ct);
        await console.Assignments.AssignAsync(cleo, south, twenty, admin, Ct);
    }
}
