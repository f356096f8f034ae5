using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using RouterAdmin.Detection;
using RouterAdmin.Firewall.Backends;
using RouterAdmin.Firewall.Backends.Simulated;
using RouterAdmin.Firewall.LiveState;
using RouterAdmin.History;
using RouterAdmin.Inventory;
using RouterAdmin.Security;
using Xunit;

namespace RouterAdmin.WebTests.Api;

/// <summary>
/// /api/v1/vpn-users on the simulated router, whose watch table counts what the spec hands it and whose conntrack lists
/// what the spec sets: the last check as JSON, and the dashboard's one fix, which changes the inventory only, so the
/// caller previews and applies as with any edit.
/// </summary>
public sealed class VpnUsersApiSpecs : IAsyncLifetime
{
    private sealed class ScriptedNeighbours : INeighbourTable
    {
        public Task<IReadOnlyList<Neighbour>> ReadAsync(CancellationToken ct) =>
            Task.FromResult<IReadOnlyList<Neighbour>>([new(IPAddress.Parse("192.168.1.9"), "br0", "5e:49:36:ba:89:ec")]);
    }

    private static readonly IPAddress Server = IPAddress.Parse("198.51.100.10");
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private TestConsole _console = null!;
    private HttpClient _admin = null!;
    private HttpClient _viewer = null!;
    private int _ann;
    private int _packets;

    public async ValueTask InitializeAsync()
    {
        // The spec makes each check itself: a background one between two would see no new packets.
        _console = await TestConsole.StartAsync((ConsoleSetup.WebApp() with
        {
            Sabotage = true,
            Services = s => s.AddSingleton<INeighbourTable>(new ScriptedNeighbours()),
        }).With("RouterAdmin:Detection:CheckInterval", "00:00:00"));
        await _console.CreateUserAsync("admin", UserRole.Admin);
        await _console.CreateUserAsync("watcher", UserRole.Viewer);
        _admin = _console.CreateTokenClient((await _console.CreateTokenAsync("admin", "ansible", UserRole.Admin)).Secret);
        _viewer = _console.CreateTokenClient((await _console.CreateTokenAsync("watcher", "wallboard", UserRole.Viewer)).Secret);

        var admin = TestConsole.Admin;
        _ann = await _console.Clients.CreateAsync(new ClientDraft { Name = "Ann", LanAddress = "192.168.1.2" }, admin, Ct);
        await _console.Endpoints.CreateAsync(new EndpointDraft { Name = "Contivity", Destination = Server.ToString() }, admin, Ct);
        await _console.Addresses.CreateAsync(new ExternalAddressDraft { Address = "203.0.113.2", Interface = "eth1", PrefixLength = 24 }, admin, Ct);
        var draft = SettingsDraft.From(await _console.Settings.GetAsync(Ct));
        draft.WatchVpnUsers = true;
        await _console.Settings.UpdateAsync(draft, admin, Ct);
        Assert.True((await _console.PreviewAndApplyAsync("watch for dropped VPN users")).Result.Succeeded);
    }

    public async ValueTask DisposeAsync()
    {
        _admin.Dispose();
        _viewer.Dispose();
        await _console.DisposeAsync();
    }

    /// <summary>Ann's ESP leaves through the masquerade address; 192.168.1.9's is counted, grows, and has no entry: dropped.</summary>
    private async Task SeeAnnAtRiskAndAnUnknownHostDroppedAsync(string server = "198.51.100.10")
    {
        _packets += 12;
        _console.Kernel.LiveFlows = [new ConntrackEntry("esp", "192.168.1.2", server, server, "203.0.113.1", 599)];
        _console.Get<SimulatedVpnWatchTable>().Counted =
            [new(IPAddress.Parse("192.168.1.2"), IPAddress.Parse(server), 1), new(IPAddress.Parse("192.168.1.9"), IPAddress.Parse(server), _packets)];
        await _console.Get<VpnUserWatcher>().CheckAsync(Ct);
    }

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response) => await response.Content.ReadFromJsonAsync<JsonElement>(Ct);

    [Fact]
    public async Task Without_a_cookie_or_a_token_nothing_is_shown_and_nothing_is_fixed()
    {
        await SeeAnnAtRiskAndAnUnknownHostDroppedAsync();
        using var anonymous = _console.CreateClient();

        using var read = await anonymous.GetAsync("/api/v1/vpn-users", Ct);
        using var fix = await anonymous.PostAsync("/api/v1/vpn-users/192.168.1.9/fix", null, Ct);

        Assert.Equal((HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized), (read.StatusCode, fix.StatusCode));
        Assert.Single((await _console.Store.CaptureAsync(Ct)).Clients);
    }

    [Fact]
    public async Task A_viewer_reads_the_last_check_with_each_users_state_mac_and_time_but_may_not_fix()
    {
        await SeeAnnAtRiskAndAnUnknownHostDroppedAsync();

        var report = await _viewer.GetFromJsonAsync<JsonElement>("/api/v1/vpn-users", Ct);
        using var fix = await _viewer.PostAsync("/api/v1/vpn-users/192.168.1.9/fix", null, Ct);
        using var endpoint = await _viewer.PostAsync("/api/v1/vpn-users/servers/192.0.2.50/endpoint", null, Ct);

        Assert.True(report.GetProperty("watchOn").GetBoolean());
        Assert.True(report.GetProperty("checkedAt").GetDateTimeOffset() > DateTimeOffset.UnixEpoch);
        var users = report.GetProperty("users").EnumerateArray().ToArray();
        Assert.Equal([("dropped", "192.168.1.9"), ("atRisk", "192.168.1.2")], users.Select(u => (u.GetProperty("state").GetString(), u.GetProperty("lanAddress").GetString())));
        var dropped = users[0];
        Assert.Equal("5e:49:36:ba:89:ec", dropped.GetProperty("mac").GetString());
        Assert.Equal(JsonValueKind.Null, dropped.GetProperty("clientName").ValueKind);
        Assert.Equal(JsonValueKind.Null, dropped.GetProperty("leavesFrom").ValueKind);
        Assert.Equal(("esp", 12, "198.51.100.10", "Contivity"),
            (dropped.GetProperty("traffic").GetString(), dropped.GetProperty("packets").GetInt32(), dropped.GetProperty("server").GetString(), dropped.GetProperty("endpointName").GetString()));
        // ISO 8601 with its offset, as System.Text.Json writes a DateTimeOffset.
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", dropped.GetProperty("since").GetString()!);
        Assert.Equal(("Ann", "Ann", "203.0.113.1"), (users[1].GetProperty("clientName").GetString(), users[1].GetProperty("hostname").GetString(), users[1].GetProperty("leavesFrom").GetString()));
        Assert.Empty(report.GetProperty("newServers").EnumerateArray());
        Assert.Equal((HttpStatusCode.Forbidden, HttpStatusCode.Forbidden), (fix.StatusCode, endpoint.StatusCode));
    }

    [Fact]
    public async Task The_fix_adds_the_unknown_host_with_a_free_address_reaches_the_router_only_with_the_apply_and_is_audited()
    {
        await SeeAnnAtRiskAndAnUnknownHostDroppedAsync();

        using var response = await _admin.PostAsync("/api/v1/vpn-users/192.168.1.9/fix", null, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var fix = await JsonAsync(response);
        Assert.Equal(("VPN user 192.168.1.9", true, "203.0.113.2", false),
            (fix.GetProperty("clientName").GetString(), fix.GetProperty("clientAdded").GetBoolean(), fix.GetProperty("externalAddress").GetString(), fix.GetProperty("applied").GetBoolean()));
        Assert.Contains("GET /api/v1/preview", fix.GetProperty("next").GetString());
        var added = await _console.Clients.GetAsync(fix.GetProperty("clientId").GetInt32(), Ct);
        Assert.Equal(("192.168.1.9", "5e:49:36:ba:89:ec"), (added!.LanAddress, added.MacAddress));

        // Nothing is on the router yet: the preview shows the mapping, and only the apply puts it there.
        Assert.DoesNotContain("192.168.1.9", await _console.Kernel.SaveNatTableAsync(false, Ct));
        var preview = await _admin.GetFromJsonAsync<JsonElement>("/api/v1/preview", Ct);
        Assert.False(preview.GetProperty("inSync").GetBoolean());
        Assert.Contains("192.168.1.9", preview.GetProperty("diff").GetString());
        using var applied = await _admin.PostAsJsonAsync("/api/v1/apply", new { Reason = "the dropped VPN user", Fingerprint = preview.GetProperty("fingerprint").GetString() }, Ct);
        Assert.Equal(HttpStatusCode.OK, applied.StatusCode);
        var nat = await _console.Kernel.SaveNatTableAsync(false, Ct);
        Assert.Contains(nat.Split('\n'), l => l.Contains("192.168.1.9", StringComparison.Ordinal) && l.Contains("--to-source 203.0.113.2", StringComparison.Ordinal));

        var audit = await _admin.GetFromJsonAsync<JsonElement>("/api/v1/audit?pageSize=100", Ct);
        var actions = audit.GetProperty("items").EnumerateArray()
            .Where(a => a.GetProperty("actor").GetString() == "admin (token ansible)")
            .Select(a => a.GetProperty("action").GetString()).ToArray();
        Assert.Contains(AuditActions.ClientCreate, actions);
        Assert.Contains(AuditActions.AssignmentCreate, actions);
    }

    [Fact]
    public async Task A_known_client_at_risk_is_given_a_free_address_towards_its_server()
    {
        await SeeAnnAtRiskAndAnUnknownHostDroppedAsync();

        var fix = await JsonAsync(await _admin.PostAsync("/api/v1/vpn-users/192.168.1.2/fix", null, Ct));

        Assert.Equal((_ann, false, "203.0.113.2"), (fix.GetProperty("clientId").GetInt32(), fix.GetProperty("clientAdded").GetBoolean(), fix.GetProperty("externalAddress").GetString()));
        Assert.Single((await _console.Store.CaptureAsync(Ct)).Assignments);
    }

    [Fact]
    public async Task Refusals_are_problem_details_keyed_by_the_pages_field_names_and_change_nothing()
    {
        await SeeAnnAtRiskAndAnUnknownHostDroppedAsync();
        // Ann takes the only address first: none is left for the unknown host.
        (await _admin.PostAsync("/api/v1/vpn-users/192.168.1.2/fix", null, Ct)).EnsureSuccessStatusCode();

        using var noneFree = await _admin.PostAsync("/api/v1/vpn-users/192.168.1.9/fix", null, Ct);
        using var notAnAddress = await _admin.PostAsync("/api/v1/vpn-users/192.168.1.300/fix", null, Ct);
        using var notSeen = await _admin.PostAsync("/api/v1/vpn-users/192.168.1.77/fix", null, Ct);

        Assert.Equal(HttpStatusCode.Conflict, noneFree.StatusCode);
        Assert.Equal("application/problem+json", noneFree.Content.Headers.ContentType?.MediaType);
        Assert.Equal("VPN user 192.168.1.9 was not added: No external address is left free for Contivity: all 1 are taken by then. Add external addresses, or assign fewer clients.",
            (await JsonAsync(noneFree)).GetProperty("detail").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, notAnAddress.StatusCode);
        Assert.True((await JsonAsync(notAnAddress)).GetProperty("errors").TryGetProperty("LanAddress", out _));
        Assert.Equal(HttpStatusCode.NotFound, notSeen.StatusCode);
        Assert.Single((await _console.Store.CaptureAsync(Ct)).Clients);
    }

    [Fact]
    public async Task A_server_no_endpoint_covers_is_added_as_one_and_its_users_can_then_be_fixed()
    {
        await SeeAnnAtRiskAndAnUnknownHostDroppedAsync(server: "192.0.2.50");
        var report = await _admin.GetFromJsonAsync<JsonElement>("/api/v1/vpn-users", Ct);
        Assert.Equal(["192.0.2.50"], report.GetProperty("newServers").EnumerateArray().Select(s => s.GetString()));

        using var notYet = await _admin.PostAsync("/api/v1/vpn-users/192.168.1.9/fix", null, Ct);
        using var unseen = await _admin.PostAsync("/api/v1/vpn-users/servers/192.0.2.99/endpoint", null, Ct);
        using var added = await _admin.PostAsync("/api/v1/vpn-users/servers/192.0.2.50/endpoint", null, Ct);

        Assert.Equal(HttpStatusCode.Conflict, notYet.StatusCode);
        Assert.Contains("is not a VPN endpoint yet", (await JsonAsync(notYet)).GetProperty("detail").GetString());
        Assert.Equal(HttpStatusCode.NotFound, unseen.StatusCode);
        Assert.Equal(HttpStatusCode.OK, added.StatusCode);
        var endpoint = await _console.Endpoints.GetAsync((await JsonAsync(added)).GetProperty("id").GetInt32(), Ct);
        Assert.Equal("VPN server 192.0.2.50", endpoint!.Name);

        await SeeAnnAtRiskAndAnUnknownHostDroppedAsync(server: "192.0.2.50");
        using var fixedNow = await _admin.PostAsync("/api/v1/vpn-users/192.168.1.9/fix", null, Ct);
        Assert.Equal(HttpStatusCode.OK, fixedNow.StatusCode);
    }
}
