using System.Net;
using RouterAdmin.Firewall.Backends.Nftables;
using RouterAdmin.Firewall.Diff;
using RouterAdmin.Firewall.Model;
using RouterAdmin.Firewall.Planning;
using Xunit;

namespace RouterAdmin.Tests.Firewall.Nftables;

/// <summary>The nftables backend's pure parts: rendering, reading nft's JSON back, the diff and the transaction text.</summary>
public sealed class NftablesBackendSpecs
{
    private const string Table = "routeradmin";
    private static readonly IPNetwork Lan = IPNetwork.Parse("192.168.1.0/24");
    private static readonly BoundAddress Alias2 = new(IPAddress.Parse("203.0.113.2"), 24, "wan");

    private static SnatMapping Mapping(int client, string endpoint, int external, string label) =>
        new(IPAddress.Parse($"192.168.1.{client}"), IPNetwork.Parse(endpoint), IPAddress.Parse($"203.0.113.{external}"), label);

    private static FirewallPlan TwoUsers(int secondExternal = 3) => new(
        [Mapping(2, "198.51.100.10/32", 2, "client1 to Customer_Contivity"), Mapping(3, "198.51.100.10/32", secondExternal, "client2 to Customer_Contivity")],
        [], null);

    private static NftLiveState Live(string? json, params BoundAddress[] owned)
    {
        var read = NftJsonReader.Parse(json, owned);
        return new NftLiveState(read.Owned, owned.Select(a => new LiveAddress(a, a.OwnedLabel)).ToArray(), NftSyntax.Table(Table, read.Owned), read.Counters);
    }

    [Fact]
    public void A_first_apply_replaces_the_whole_table_in_one_transaction()
    {
        var plan = TwoUsers() with { Masquerade = new MasqueradePlan(Lan, "wan") };

        var change = NftDiffer.Compare(Table, NftRules.Render(plan), Live(null));

        Assert.True(change.ReplacesTable);
        Assert.Equal("""
            add table ip routeradmin
            delete table ip routeradmin
            table ip routeradmin {
            	map mappings {
            		type ipv4_addr . ipv4_addr : ipv4_addr
            		counter
            		elements = {
            			192.168.1.2 . 198.51.100.10 comment "client1 to Customer_Contivity" : 203.0.113.2,
            			192.168.1.3 . 198.51.100.10 comment "client2 to Customer_Contivity" : 203.0.113.3,
            		}
            	}
            	chain postrouting {
            		type nat hook postrouting priority srcnat - 10; policy accept;
            		snat ip to ip saddr . ip daddr map @mappings comment "routeradmin: per-client SNAT"
            		ip saddr 192.168.1.0/24 oifname "wan" masquerade comment "routeradmin: LAN masquerade"
            	}
            }

            """, change.Transaction);
        Assert.Equal(2, change.FlowsToReset.Count);
    }

    [Fact]
    public void The_map_has_interval_keys_only_when_an_endpoint_is_a_network()
    {
        var hosts = NftRules.Render(TwoUsers());
        var network = NftRules.Render(new FirewallPlan([Mapping(2, "198.51.100.0/24", 2, "a to b")], [], null));

        Assert.DoesNotContain("flags interval", hosts.Blocks[0].Lines);
        Assert.Contains("flags interval", network.Blocks[0].Lines);
        Assert.Contains("192.168.1.2 . 198.51.100.0/24 comment \"a to b\" : 203.0.113.2,", NftSyntax.Table(Table, network));
    }

    [Fact]
    public void The_kernels_json_of_an_interval_map_with_the_masquerade_reads_back_as_the_plan_that_wrote_it()
    {
        var plan = new FirewallPlan([Mapping(2, "198.51.100.10/32", 2, "client1 to vpn"), Mapping(3, "198.51.100.0/24", 3, "client2 to net")],
            [], new MasqueradePlan(Lan, "wan"));

        var live = Live(NftSamples.IntervalWithMasquerade);

        Assert.Equal(plan.Mappings, live.Owned.ToPlan().Mappings);
        Assert.Equal(plan.Masquerade, live.Owned.ToPlan().Masquerade);
        var change = NftDiffer.Compare(Table, NftRules.Render(plan), live);
        Assert.True(change.InSync, change.Transaction);
        Assert.All(change.Diff, l => Assert.Equal(DiffKind.Unchanged, l.Kind));
    }

    [Fact]
    public void Elements_read_back_with_their_labels_and_per_element_counters()
    {
        var live = Live(NftSamples.TwoElements, Alias2);

        Assert.True(NftDiffer.Compare(Table, NftRules.Render(TwoUsers() with { Addresses = [Alias2] }), live).InSync);
        Assert.Equal(["client1 to Customer_Contivity", "client2 to Customer_Contivity"], live.Owned.Elements.Select(e => e.Label));
        Assert.Equal(2, live.Counters.Count);
        Assert.Equal(new FoundMapping(IPNetwork.Parse("192.168.1.2/32"), IPNetwork.Parse("198.51.100.10/32"), IPAddress.Parse("203.0.113.2")), live.Counters[0].Mapping);
        Assert.Empty(live.ForeignSnat);
    }

    [Fact]
    public void Reassigning_one_client_deletes_and_adds_only_its_element_in_one_transaction()
    {
        var change = NftDiffer.Compare(Table, NftRules.Render(TwoUsers(secondExternal: 4)), Live(NftSamples.TwoElements));

        Assert.False(change.ReplacesTable);
        Assert.Equal("""
            delete element ip routeradmin mappings {
            	192.168.1.3 . 198.51.100.10,
            }
            add element ip routeradmin mappings {
            	192.168.1.3 . 198.51.100.10 comment "client2 to Customer_Contivity" : 203.0.113.4,
            }

            """, change.Transaction);
        Assert.Equal([new FlowKey(IPNetwork.Parse("192.168.1.3/32"), IPNetwork.Parse("198.51.100.10/32"))], change.FlowsToReset);
        Assert.Equal((1, 1), (change.LinesAdded, change.LinesRemoved));
        var changed = change.Diff.Where(l => l.Kind != DiffKind.Unchanged).ToArray();
        Assert.Equal(2, changed.Length);
        Assert.Contains(changed, l => l.Kind == DiffKind.Removed && l.Text.EndsWith(": 203.0.113.3,", StringComparison.Ordinal));
        Assert.Contains(changed, l => l.Kind == DiffKind.Added && l.Text.EndsWith(": 203.0.113.4,", StringComparison.Ordinal));
    }

    [Fact]
    public void Mappings_added_to_an_empty_map_are_one_add_element()
    {
        var change = NftDiffer.Compare(Table, NftRules.Render(TwoUsers()), Live(NftSamples.EmptyMap));

        Assert.StartsWith("add element ip routeradmin mappings {\n", change.Transaction);
        Assert.DoesNotContain("delete", change.Transaction);
    }

    [Fact]
    public void A_rule_added_by_hand_in_the_owned_table_is_drift_and_the_repair_replaces_the_table()
    {
        var live = Live(NftSamples.HandAddedRule);

        var change = NftDiffer.Compare(Table, NftRules.Render(TwoUsers()), live);

        Assert.True(change.ReplacesTable);
        Assert.Contains(change.Diff, l => l.Kind == DiffKind.Removed && l.Text.Trim() == "ip saddr 192.168.1.9 accept");
    }

    [Fact]
    public void A_large_change_replaces_the_table_rather_than_editing_hundreds_of_elements()
    {
        var many = Enumerable.Range(0, NftDiffer.MaxElementEdits + 1)
            .Select(n => new SnatMapping(IPAddress.Parse($"10.{n / 250}.{n % 250}.1"), IPNetwork.Parse("198.51.100.10/32"), IPAddress.Parse("203.0.113.2"), $"c{n} to vpn"))
            .ToArray();

        var change = NftDiffer.Compare(Table, NftRules.Render(new FirewallPlan(many, [], null)), Live(NftSamples.EmptyMap));

        Assert.True(change.ReplacesTable);
        Assert.StartsWith("add table ip routeradmin\ndelete table ip routeradmin\n", change.Transaction);
    }

    [Fact]
    public void Nothing_owned_and_nothing_wanted_runs_nothing_and_an_owned_table_no_longer_wanted_is_deleted()
    {
        Assert.True(NftDiffer.Compare(Table, NftOwnedState.Nothing, Live(null)).InSync);
        Assert.Equal("delete table ip routeradmin\n", NftDiffer.Compare(Table, NftOwnedState.Nothing, Live(NftSamples.TwoElements)).Transaction);
    }

    [Theory]
    [InlineData("Alice\" : 1.2.3.4 }\nflush ruleset\n")]
    [InlineData("Bob\\\"; delete table ip nat;")]
    [InlineData("Eve\r\n}\0")]
    public void A_hostile_label_never_ends_the_comment_or_the_line(string label)
    {
        var plan = new FirewallPlan([Mapping(2, "198.51.100.10/32", 2, label)], [], null);

        var script = NftDiffer.Compare(Table, NftRules.Render(plan), Live(null)).Transaction;

        var element = Assert.Single(script.Split('\n'), l => l.Contains("192.168.1.2 . 198.51.100.10", StringComparison.Ordinal));
        var comment = element[(element.IndexOf("comment \"", StringComparison.Ordinal) + 9)..element.LastIndexOf('"')];
        Assert.DoesNotContain('"', comment);
        Assert.DoesNotContain('\\', comment);
        Assert.DoesNotContain(';', comment);
        Assert.DoesNotContain("}", comment);
        Assert.EndsWith("\" : 203.0.113.2,", element);
        Assert.DoesNotContain("flush", script.Split('\n').Where(l => !l.Contains("comment", StringComparison.Ordinal)));
    }

    [Fact]
    public void A_revisions_stored_state_loads_back_equal_and_compares_in_sync()
    {
        var desired = NftRules.Render(TwoUsers() with { Addresses = [Alias2], Masquerade = new MasqueradePlan(Lan, "wan") });

        var loaded = NftOwnedState.FromJson(desired.ToJson());

        Assert.True(loaded.SameStructureAs(desired));
        Assert.Equal(desired.Elements, loaded.Elements);
        Assert.Equal(desired.Addresses, loaded.Addresses);
        var reconstructed = new NftLiveState(loaded, [new LiveAddress(Alias2, Alias2.OwnedLabel)], "", []);
        Assert.True(NftDiffer.Compare(Table, desired, reconstructed).InSync);
    }

    [Theory]
    [InlineData("routeradmin", true)]
    [InlineData("ra_2", true)]
    [InlineData("nat; flush ruleset", false)]
    [InlineData("", false)]
    public void The_owned_tables_name_is_a_plain_word(string name, bool accepted)
    {
        if (accepted) Assert.Equal(name, NftTableName.Validate(name));
        else Assert.Throws<InvalidOperationException>(() => NftTableName.Validate(name));
    }
}
