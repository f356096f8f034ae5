using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using RouterAdmin.Inventory;
using RouterAdmin.Security;

namespace RouterAdmin.WebTests;

/// <summary>POST /api/v1/clients/import and GET /api/v1/export on the real console over HTTP.</summary>
public sealed class BulkApiSpecs
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private const string Employees = """
        name,lan_address,endpoints
        Ann,192.168.1.10,North
        Ben,192.168.1.11,North
        Ann,192.168.1.12,North
        """;

    [Fact]
    public async Task A_preview_answers_the_plan_line_by_line_and_a_strict_confirmation_of_a_file_with_a_refused_line_is_a_problem()
    {
        await using var console = await StartAsync();
        using var admin = await SignedInAsync(console, "admin", UserRole.Admin);

        using var preview = await admin.PostAsync("/api/v1/clients/import", Csv(Employees), Ct);
        var plan = await preview.Content.ReadFromJsonAsync<JsonElement>(Ct);
        using var strict = await admin.PostAsync("/api/v1/clients/import?mode=confirm", Csv(Employees), Ct);
        var problem = await strict.Content.ReadFromJsonAsync<JsonElement>(Ct);

        Assert.Equal(HttpStatusCode.OK, preview.StatusCode);
        Assert.False(plan.GetProperty("written").GetBoolean());
        Assert.Equal(2, plan.GetProperty("clients").GetInt32());
        Assert.Equal(["Client Ann (192.168.1.10); → North from 203.0.113.10 (free)", "Client Ben (192.168.1.11); → North from 203.0.113.11 (free)"],
            plan.GetProperty("creates").EnumerateArray().Select(c => c.GetString()));
        var refused = plan.GetProperty("refused").EnumerateArray().Single();
        Assert.Equal(("line 4", "Name"), (refused.GetProperty("where").GetString(), refused.GetProperty("field").GetString()));
        Assert.Equal(HttpStatusCode.BadRequest, strict.StatusCode);
        Assert.Equal("application/problem+json", strict.Content.Headers.ContentType?.MediaType);
        Assert.Equal(["Name: Another client is already called Ann."], problem.GetProperty("errors").GetProperty("line 4").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(0, (await console.Store.CountAsync(Ct)).Clients);
    }

    [Fact]
    public async Task Confirming_with_the_previewed_fingerprint_and_skipping_the_refused_line_imports_the_rest()
    {
        await using var console = await StartAsync();
        using var admin = await SignedInAsync(console, "admin", UserRole.Admin);
        using var preview = await admin.PostAsync("/api/v1/clients/import?mode=preview", Csv(Employees), Ct);
        var fingerprint = (await preview.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("fingerprint").GetString();

        using var confirmed = await admin.PostAsync($"/api/v1/clients/import?mode=confirm&skipRefused=true&fingerprint={fingerprint}", Csv(Employees), Ct);

        Assert.Equal(HttpStatusCode.OK, confirmed.StatusCode);
        Assert.True((await confirmed.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("written").GetBoolean());
        Assert.Equal((2, 2), ((await console.Store.CountAsync(Ct)).Clients, (await console.Store.CountAsync(Ct)).Assignments));
    }

    [Fact]
    public async Task A_viewer_may_export_but_not_import_and_nobody_anonymous_may_do_either()
    {
        await using var console = await StartAsync();
        using var viewer = await SignedInAsync(console, "vera", UserRole.Viewer);
        using var anonymous = console.CreateClient();

        using var import = await viewer.PostAsync("/api/v1/clients/import?mode=confirm", Csv(Employees), Ct);
        using var export = await viewer.GetAsync("/api/v1/export?format=csv", Ct);
        using var anonymousExport = await anonymous.GetAsync("/api/v1/export", Ct);
        using var anonymousImport = await anonymous.PostAsync("/api/v1/clients/import", Csv(Employees), Ct);

        Assert.Equal(HttpStatusCode.Forbidden, import.StatusCode);
        Assert.Equal(HttpStatusCode.OK, export.StatusCode);
        Assert.Equal("text/csv", export.Content.Headers.ContentType?.MediaType);
        Assert.StartsWith("record,name,address,interface,prefix,bind,mac,enabled,notes,assignments\nendpoint,North,198.51.100.10,", await export.Content.ReadAsStringAsync(Ct));
        Assert.Equal(HttpStatusCode.Unauthorized, anonymousExport.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymousImport.StatusCode);
    }

    [Fact]
    public async Task A_file_sent_as_plain_text_is_refused_unread_because_other_sites_may_send_that()
    {
        await using var console = await StartAsync();
        using var admin = await SignedInAsync(console, "admin", UserRole.Admin);

        using var response = await admin.PostAsync("/api/v1/clients/import?mode=confirm", new StringContent(Employees, Encoding.UTF8, "text/plain"), Ct);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal(0, (await console.Store.CountAsync(Ct)).Clients);
    }

    [Fact]
    public async Task The_JSON_export_imports_into_an_empty_console_over_the_API_and_exports_the_same()
    {
        await using var source = await StartAsync();
        using var sourceAdmin = await SignedInAsync(source, "admin", UserRole.Admin);
        using (var seeded = await sourceAdmin.PostAsync("/api/v1/clients/import?mode=confirm&skipRefused=true", Csv(Employees), Ct))
            Assert.Equal(HttpStatusCode.OK, seeded.StatusCode);
        var exported = await sourceAdmin.GetStringAsync("/api/v1/export?format=json", Ct);

        await using var empty = await TestConsole.StartAsync(ConsoleSetup.WebApp());
        using var emptyAdmin = await SignedInAsync(empty, "admin", UserRole.Admin);
        using var imported = await emptyAdmin.PostAsync("/api/v1/clients/import?mode=confirm", new StringContent(exported, Encoding.UTF8, "application/json"), Ct);

        Assert.Equal(HttpStatusCode.OK, imported.StatusCode);
        Assert.Equal(exported, await emptyAdmin.GetStringAsync("/api/v1/export?format=json", Ct));
    }

    private static StringContent Csv(string text) => new(text, Encoding.UTF8, "text/csv");

    /// <summary>The web console on the simulated router with the endpoint North and two external addresses.</summary>
    private static async Task<TestConsole> StartAsync()
    {
        var console = await TestConsole.StartAsync(ConsoleSetup.WebApp());
        await console.Endpoints.CreateAsync(new EndpointDraft { Name = "North", Destination = "198.51.100.10" }, TestConsole.Admin, Ct);
        foreach (var address in new[] { "203.0.113.10", "203.0.113.11" })
            await console.Addresses.CreateAsync(new ExternalAddressDraft { Address = address, Interface = "eth1" }, TestConsole.Admin, Ct);
        return console;
    }

    internal static async Task<HttpClient> SignedInAsync(TestConsole console, string name, UserRole role)
    {
        await console.CreateUserAsync(name, role);
        var client = console.CreateClient();
        using var signedIn = await TestConsole.SignInAsync(client, name);
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        return client;
    }
}
