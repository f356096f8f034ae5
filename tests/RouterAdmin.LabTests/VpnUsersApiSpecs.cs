using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using RouterAdmin.Security;
using RouterAdmin.TestSupport.Lab;
using Xunit;

namespace RouterAdmin.LabTests;

/// <summary>
/// The VPN watch seen as a script sees it, on the real kernel beside either rule backend, with the web console's own
/// background check (RouterAdmin:Detection:CheckInterval, 3 s): three clients have their own addresses; two LAN hosts the
/// inventory does not know reach the same server through the masquerade address. The API names the first at risk as soon
/// as its IKE leaves (before any ESP), then the second dropped once its ESP starts, within 10 s of its first packet; the
/// fix over the API changes the inventory only, and the preview and apply over the API give both their own addresses,
/// from which their ESP then arrives at the server.
/// </summary>
public sealed class VpnUsersApiSpecs
{
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan Arrival = TimeSpan.FromSeconds(15);

    private sealed record User(string State, string Traffic, string LanAddress, string? Mac, string? LeavesFrom, int? LeavesFromPort);

    [LabTheory]
    [MemberData(nameof(TestConsole.Backends), MemberType = typeof(TestConsole))]
    public async Task The_api_names_the_host_at_risk_and_the_one_being_dropped_within_ten_seconds_and_its_fix_gives_both_their_own_addresses(string backend)
    {
        var ct = TestContext.Current.CancellationToken;
        var output = TestContext.Current.TestOutputHelper;
        await using var lab = await NetnsLab.CreateAsync(new LabOptions { ClientCount = 5 }, ct);
        await using var console = await TestConsole.StartAsync(ConsoleSetup.OnLab(lab, backend) with { Web = true });
        await console.SeedStoryAsync(clients: 3);
        for (var n = 1; n <= 3; n++) await console.AssignAsync(n, n);
        var draft = RouterAdmin.Inventory.SettingsDraft.From(await console.Settings.GetAsync());
        draft.WatchVpnUsers = true;
        await console.Settings.UpdateAsync(draft, TestConsole.Admin);
        Assert.True((await console.PreviewAndApplyAsync("three VPN users with their own addresses; watch for dropped ones")).Result.Succeeded);
        await console.CreateUserAsync("admin", UserRole.Admin);
        using var api = console.CreateTokenClient((await console.CreateTokenAsync("admin", "lab", UserRole.Admin)).Secret);

        var receiver = await lab.StartEspReceiverAsync(ct);
        var assigned = new List<EspFlow>();
        for (var n = 0; n < 3; n++) assigned.Add(await lab.StartEspFlowAsync(lab.Clients[n], 0x71 + (uint)n, ct: ct));
        for (var n = 0; n < 3; n++)
            Assert.True(await receiver.WaitForCountAsync(0x71 + (uint)n, 3, Arrival, ct), $"client{n + 1}'s ESP arrives");
        var (early, late) = (lab.Clients[3], lab.Clients[4]);

        // IKE first: a VPN user is at risk before its tunnel carries anything.
        var ike = await lab.OpenIkeProbeAsync(early, ct);
        var ikeSent = Stopwatch.GetTimestamp();
        await ike.SendAsync(0x4e, ct: ct);
        var users = await UntilAsync(api, u => u.Any(x => x is { State: "atRisk", Traffic: "ike" } && x.LanAddress == early.Address.ToString()), "the host's IKE named at risk", ct);
        var ikeLatency = Stopwatch.GetElapsedTime(ikeSent);
        Assert.Equal(NetnsLab.RouterWanAddress.ToString(), users.Single(u => u.LanAddress == early.Address.ToString()).LeavesFrom);

        // Its ESP then takes the masquerade address's only mapping to the server; the other host's ESP is dropped.
        await using var first = await lab.StartEspFlowAsync(early, 0x74, ct: ct);
        Assert.True(await receiver.WaitForCountAsync(0x74, 3, Arrival, ct), "the first unknown host's ESP arrives through the masquerade address");
        var droppedSent = Stopwatch.GetTimestamp();
        await using var second = await lab.StartEspFlowAsync(late, 0x75, ct: ct);
        users = await UntilAsync(api, u => u.Any(x => x is { State: "dropped" } && x.LanAddress == late.Address.ToString())
            && u.Any(x => x is { State: "atRisk", Traffic: "esp" } && x.LanAddress == early.Address.ToString()), "the dropped host and the one at risk named", ct);
        var dropLatency = Stopwatch.GetElapsedTime(droppedSent);
        output?.WriteLine($"{backend}: IKE at risk named {ikeLatency.TotalMilliseconds:0} ms after its first packet; dropped host named {dropLatency.TotalMilliseconds:0} ms after its first ESP packet (check interval 3 s)");
        Assert.True(dropLatency < Budget, $"named after {dropLatency.TotalSeconds:0.0} s");

        Assert.Equal(
        [
            ("dropped", late.Address.ToString()), ("atRisk", early.Address.ToString()),
            ("fine", "192.168.1.2"), ("fine", "192.168.1.3"), ("fine", "192.168.1.4"),
        ], users.Select(u => (u.State, u.LanAddress)));
        Assert.Equal(await MacOfAsync(lab, late), users[0].Mac);
        Assert.Equal(0, receiver.CountFor(0x75));

        // The fix: inventory only, nothing on the router until the preview and apply.
        var mappings = await RouterSnapshot.MappingsAsync(lab, backend);
        var ownAddresses = new Dictionary<LabClient, IPAddress>();
        foreach (var host in new[] { late, early })
        {
            using var response = await api.PostAsync($"/api/v1/vpn-users/{host.Address}/fix", null, ct);
            Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync(ct));
            var fix = await response.Content.ReadFromJsonAsync<JsonElement>(ct);
            Assert.False(fix.GetProperty("applied").GetBoolean());
            ownAddresses[host] = IPAddress.Parse(fix.GetProperty("externalAddress").GetString()!);
        }
        Assert.Equal(mappings, await RouterSnapshot.MappingsAsync(lab, backend));
        Assert.Equal([NetnsLab.ExternalAlias(4), NetnsLab.ExternalAlias(5)], ownAddresses.Values.Order(Comparer<IPAddress>.Create((a, b) => string.CompareOrdinal(a.ToString(), b.ToString()))));

        var preview = await api.GetFromJsonAsync<JsonElement>("/api/v1/preview", ct);
        using var applied = await api.PostAsJsonAsync("/api/v1/apply", new { Reason = "the dropped and the at-risk VPN users", Fingerprint = preview.GetProperty("fingerprint").GetString() }, ct);
        Assert.True(applied.IsSuccessStatusCode, await applied.Content.ReadAsStringAsync(ct));
        var appliedAt = DateTime.UtcNow;

        Assert.True(await receiver.WaitForCountAsync(0x75, 3, Arrival, ct), "the dropped host's ESP arrives after the fix");
        Assert.Equal([ownAddresses[late]], receiver.SourcesFor(0x75));
        await Eventually.UntilAsync(() => receiver.PacketsFor(0x74).Count(p => p.At > appliedAt) >= 3, "the first host's ESP after the apply", Arrival, ct);
        Assert.All(receiver.PacketsFor(0x74).Where(p => p.At > appliedAt).Skip(1), p => Assert.Equal(ownAddresses[early], p.Source));
        await UntilAsync(api, u => u.Count == 5 && u.All(x => x.State == "fine"), "all five fine", ct);
        foreach (var flow in assigned) await flow.DisposeAsync();
    }

    private static async Task<IReadOnlyList<User>> UntilAsync(HttpClient api, Func<IReadOnlyList<User>, bool> seen, string what, CancellationToken ct)
    {
        IReadOnlyList<User> users = [];
        await Eventually.UntilAsync(async () =>
        {
            var report = await api.GetFromJsonAsync<JsonElement>("/api/v1/vpn-users", ct);
            users = [.. report.GetProperty("users").EnumerateArray().Select(u => new User(
                u.GetProperty("state").GetString()!, u.GetProperty("traffic").GetString()!, u.GetProperty("lanAddress").GetString()!,
                u.GetProperty("mac").GetString(), u.GetProperty("leavesFrom").GetString(),
                u.GetProperty("leavesFromPort").ValueKind == JsonValueKind.Number ? u.GetProperty("leavesFromPort").GetInt32() : null))];
            return seen(users);
        }, what, Budget, ct);
        return users;
    }

    private static async Task<string> MacOfAsync(NetnsLab lab, LabClient client)
    {
        using var link = JsonDocument.Parse(await lab.ExecAsync(client.Namespace, "ip", "-j", "link", "show", "eth0"));
        return link.RootElement[0].GetProperty("address").GetString()!;
    }
}
