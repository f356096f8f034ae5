using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using RouterAdmin.History;
using RouterAdmin.Security;
using Xunit;

namespace RouterAdmin.WebTests.Api;

/// <summary>The console over REST with an Admin token: the pages' validation, concurrency checks and audit, through the same services.</summary>
public sealed class RestApiSpecs : IAsyncLifetime
{
    private TestConsole _console = null!;
    private HttpClient _api = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _console = await TestConsole.StartAsync(ConsoleSetup.WebApp());
        await _console.CreateUserAsync("admin", UserRole.Admin);
        _api = _console.CreateTokenClient((await _console.CreateTokenAsync("admin", "ansible", UserRole.Admin)).Secret);
        (await _api.PutAsJsonAsync("/api/v1/settings", new { WanInterface = "eth0", LanSubnet = "192.168.1.0/24" }, Ct)).EnsureSuccessStatusCode();
    }

    public async ValueTask DisposeAsync()
    {
        _api.Dispose();
        await _console.DisposeAsync();
    }

    private async Task<int> CreateAsync(string path, object body)
    {
        using var response = await _api.PostAsJsonAsync(path, body, Ct);
        Assert.True(response.IsSuccessStatusCode, $"POST {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(Ct)}");
        return (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("id").GetInt32();
    }

    [Fact]
    public async Task An_endpoint_an_address_and_a_client_are_made_assigned_listed_and_applied_with_a_token_and_the_audit_names_it()
    {
        var endpoint = await CreateAsync("/api/v1/endpoints", new { Name = "Head office", Destination = "203.0.113.10" });
        var address = await CreateAsync("/api/v1/addresses", new { Address = "198.51.100.21", Interface = "eth0", PrefixLength = 24 });
        var client = await CreateAsync("/api/v1/clients", new { Name = "alice", LanAddress = "192.168.1.21" });

        using var assigned = await _api.PostAsJsonAsync("/api/v1/assignments", new { ClientId = client, EndpointId = endpoint }, Ct);
        Assert.Equal(HttpStatusCode.OK, assigned.StatusCode);
        Assert.Equal(address, (await assigned.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("externalAddressId").GetInt32());

        var page = await _api.GetFromJsonAsync<JsonElement>("/api/v1/clients?search=ali&sort=name&pageSize=10", Ct);
        Assert.Equal(1, page.GetProperty("total").GetInt32());
        Assert.Equal("alice", page.GetProperty("items")[0].GetProperty("name").GetString());

        var preview = await _api.GetFromJsonAsync<JsonElement>("/api/v1/preview", Ct);
        using var applied = await _api.PostAsJsonAsync("/api/v1/apply",
            new { Reason = "alice leaves from .21", Fingerprint = preview.GetProperty("fingerprint").GetString() }, Ct);
        Assert.Equal(HttpStatusCode.OK, applied.StatusCode);
        var revision = (await applied.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("revisionId").GetInt32();
        var diff = await _api.GetFromJsonAsync<JsonElement>($"/api/v1/revisions/{revision}/diff", Ct);
        Assert.Contains("198.51.100.21", diff.GetProperty("diff").GetString());

        var audit = await _api.GetFromJsonAsync<JsonElement>("/api/v1/audit?pageSize=100", Ct);
        var actors = audit.GetProperty("items").EnumerateArray()
            .Where(a => a.GetProperty("action").GetString() is AuditActions.ClientCreate or AuditActions.AssignmentCreate or AuditActions.EndpointCreate)
            .Select(a => a.GetProperty("actor").GetString()).ToArray();
        Assert.Equal(3, actors.Length);
        Assert.All(actors, a => Assert.Equal("admin (token ansible)", a));
        await using var db = await _console.OpenDatabaseAsync();
        Assert.Equal("admin (token ansible)", await db.Revisions.Where(r => r.Id == revision).Select(r => r.Actor).SingleAsync(Ct));
    }

    [Fact]
    public async Task A_wrong_client_is_refused_with_problem_details_keyed_by_the_pages_field_names()
    {
        using var response = await _api.PostAsJsonAsync("/api/v1/clients", new { Name = "", LanAddress = "10.9.9.9" }, Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("errors");
        Assert.True(errors.TryGetProperty("Name", out _), errors.ToString());
        Assert.True(errors.TryGetProperty("LanAddress", out _), errors.ToString());
    }

    [Fact]
    public async Task An_update_based_on_a_stale_ETag_is_refused_412_and_writes_nothing()
    {
        var client = await CreateAsync("/api/v1/clients", new { Name = "bob", LanAddress = "192.168.1.22" });
        using var read = await _api.GetAsync($"/api/v1/clients/{client}", Ct);
        var etag = read.Headers.ETag!.Tag;
        using var first = new HttpRequestMessage(HttpMethod.Put, $"/api/v1/clients/{client}") { Content = JsonContent.Create(new { Name = "bob", LanAddress = "192.168.1.23" }) };
        first.Headers.IfMatch.ParseAdd(etag);
        using var firstResponse = await _api.SendAsync(first, Ct);
        Assert.Equal(HttpStatusCode.OK, firstResponse.StatusCode);
        Assert.NotEqual(etag, firstResponse.Headers.ETag!.Tag);

        using var second = new HttpRequestMessage(HttpMethod.Put, $"/api/v1/clients/{client}") { Content = JsonContent.Create(new { Name = "bob", LanAddress = "192.168.1.24" }) };
        second.Headers.IfMatch.ParseAdd(etag);
        using var secondResponse = await _api.SendAsync(second, Ct);

        Assert.Equal(HttpStatusCode.PreconditionFailed, secondResponse.StatusCode);
        Assert.Equal("192.168.1.23", (await _console.Clients.GetAsync(client, Ct))!.LanAddress);
    }

    [Fact]
    public async Task An_apply_with_the_fingerprint_of_an_older_preview_is_refused_409()
    {
        var old = await _api.GetFromJsonAsync<JsonElement>("/api/v1/preview", Ct);
        await CreateAsync("/api/v1/clients", new { Name = "carol", LanAddress = "192.168.1.25" });
        var endpoint = await CreateAsync("/api/v1/endpoints", new { Name = "Branch", Destination = "203.0.113.20" });
        await CreateAsync("/api/v1/addresses", new { Address = "198.51.100.25", Interface = "eth0", PrefixLength = 24 });
        var carol = (await _console.Clients.GetPageAsync(new(0, 10, "carol"), Ct)).Items.Single().Id;
        (await _api.PostAsJsonAsync("/api/v1/assignments", new { ClientId = carol, EndpointId = endpoint }, Ct)).EnsureSuccessStatusCode();

        using var response = await _api.PostAsJsonAsync("/api/v1/apply", new { Reason = "stale", Fingerprint = old.GetProperty("fingerprint").GetString() }, Ct);

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal("The preview is out of date", (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("title").GetString());
    }

    [Fact]
    public async Task Deleting_a_client_that_takes_more_assignments_than_the_caller_saw_is_refused_409()
    {
        var endpoint = await CreateAsync("/api/v1/endpoints", new { Name = "Lab", Destination = "203.0.113.30" });
        await CreateAsync("/api/v1/addresses", new { Address = "198.51.100.30", Interface = "eth0", PrefixLength = 24 });
        var client = await CreateAsync("/api/v1/clients", new { Name = "dave", LanAddress = "192.168.1.30" });
        (await _api.PostAsJsonAsync("/api/v1/assignments", new { ClientId = client, EndpointId = endpoint }, Ct)).EnsureSuccessStatusCode();

        using var refused = await _api.DeleteAsync($"/api/v1/clients/{client}", Ct);
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        using var deleted = await _api.DeleteAsync($"/api/v1/clients/{client}?assignmentsRemoved=1", Ct);
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Null(await _console.Clients.GetAsync(client, Ct));
    }
}
