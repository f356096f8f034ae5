using System.Net;
using RouterAdmin.Firewall.Backends.Nftables;
using RouterAdmin.Firewall.Model;
using RouterAdmin.Firewall.Planning;
using Xunit;

namespace RouterAdmin.Tests.Firewall.Nftables;

/// <summary>Hand-written source-NAT rules in other nftables tables, as <c>nft -j list ruleset</c> shows them: found, taken over, put back.</summary>
public sealed class NftablesImportSpecs
{
    private const string Table = "routeradmin";
    private const string Eve = "table inet mynat chain post: ip saddr 192.168.1.5 ip daddr 198.51.100.10 counter snat ip to 203.0.113.5 comment \"eve\"";

    private static NftLiveState Live(string json)
    {
        var (read, foreign) = NftJsonReader.ParseRuleset(json, Table, []);
        return new NftLiveState(read.Owned, [], NftSyntax.Table(Table, read.Owned), read.Counters) { Foreign = foreign };
    }

    private static SnatMapping Mapping(int client, int external, string label) =>
        new(IPAddress.Parse($"192.168.1.{client}"), IPNetwork.Parse("198.51.100.10/32"), IPAddress.Parse($"203.0.113.{external}"), label);

    [Fact]
    public void Plain_snat_rules_in_every_other_ip_and_inet_nat_postrouting_chain_are_found_with_their_meaning_and_handle()
    {
        var live = Live(NftRulesetSamples.Ruleset);

        var rules = live.Foreign.Snat;
        Assert.Equal(
        [
            "table inet mynat chain post: ip saddr 192.168.1.6 ip daddr 198.51.100.10 counter snat ip to 203.0.113.6",
            Eve,
            "table inet mynat chain post: ip saddr 192.168.1.7 ip daddr 198.51.100.10 snat ip to 203.0.113.6",
            "table ip natb chain post: ip saddr 192.168.1.8 ip daddr 198.51.100.10 snat to 203.0.113.5",
            "table inet other chain post: ip saddr 192.168.1.9 {\"match\": {\"op\": \"==\", \"left\": {\"payload\": {\"protocol\": \"tcp\", \"field\": \"dport\"}}, \"right\": 22}} snat ip to 203.0.113.5",
        ], rules.Select(r => r.Text));
        var eve = rules[1];
        Assert.Equal((2L, 1), (eve.Handle, eve.Index));
        Assert.Equal(new FoundMapping(IPNetwork.Parse("192.168.1.5/32"), IPNetwork.Parse("198.51.100.10/32"), IPAddress.Parse("203.0.113.5")), eve.Mapping);
        Assert.False(eve.AheadOfOwned, "srcnat runs after RouterAdmin's srcnat - 10");
        Assert.Null(rules[^1].Mapping);
        // The owned table still reads as before, and is not reported as someone else's.
        Assert.Single(live.Owned.Elements);
        Assert.DoesNotContain(rules, r => r.Table == Table);
    }

    [Fact]
    public void Rules_iptables_nft_wrote_are_left_to_the_iptables_backend_because_nft_json_hides_their_target_address()
    {
        var live = Live(NftRulesetSamples.Ruleset);

        Assert.DoesNotContain(live.Foreign.Snat, r => r.Table == "nat");
        Assert.Equal(3, live.Foreign.RulesIn("ip nat POSTROUTING"));
    }

    [Fact]
    public void The_administrators_own_masquerade_is_reported_for_the_settings_suggestion_and_a_negated_one_is_not()
    {
        var masquerade = Live(NftRulesetSamples.Ruleset).ForeignMasquerade;

        Assert.NotNull(masquerade);
        Assert.Equal("table inet mynat chain post: oifname \"wan\" masquerade", masquerade.Text);
        Assert.Equal("wan", masquerade.OutInterface);
        Assert.Null(masquerade.Source);
    }

    [Fact]
    public void Taking_a_rule_over_adds_our_element_and_deletes_the_rule_by_handle_in_the_same_transaction_without_resetting_its_flow()
    {
        var live = Live(NftRulesetSamples.Ruleset);
        var plan = new FirewallPlan([Mapping(2, 2, "Alice to VPN"), Mapping(5, 5, "imported")], [], null) { TakenOver = [Eve] };
        var desired = NftRules.Render(plan);

        var change = NftDiffer.Compare(Table, desired, live);

        Assert.Equal(Eve, Assert.Single(change.RetiredPresent).Text);
        Assert.EndsWith("""
            add element ip routeradmin mappings {
            	192.168.1.5 . 198.51.100.10 comment "imported" : 203.0.113.5,
            }
            delete rule inet mynat post handle 2

            """, change.Transaction);
        Assert.DoesNotContain(change.FlowsToReset, f => f.Source.BaseAddress.Equals(IPAddress.Parse("192.168.1.5")));
        Assert.Contains(change.Diff, l => l.Kind == RouterAdmin.Firewall.Diff.DiffKind.Removed && l.Text == Eve);
        Assert.Equal([Eve], desired.ToPlan().TakenOver);
    }

    [Fact]
    public void Undoing_the_take_over_puts_the_rule_back_at_its_place_in_the_transaction_that_removes_our_element()
    {
        var before = Live(NftRulesetSamples.Ruleset);
        var desired = NftRules.Render(new FirewallPlan([Mapping(2, 2, "Alice to VPN"), Mapping(5, 5, "imported")], [], null) { TakenOver = [Eve] });
        var undo = (NftOwnedState)NftDiffer.Compare(Table, desired, before).Undo;
        var after = Live(NftRulesetSamples.AfterTakingOverEve);
        Assert.True(NftDiffer.Compare(Table, desired, after).InSync, "after the take-over the router holds exactly the wanted state");

        var back = NftDiffer.Compare(Table, NftOwnedState.FromJson(undo.ToJson()), after);

        Assert.Equal("""
            delete element ip routeradmin mappings {
            	192.168.1.5 . 198.51.100.10,
            }
            insert rule inet mynat post index 1 ip saddr 192.168.1.5 ip daddr 198.51.100.10 counter snat ip to 203.0.113.5 comment "eve"

            """, back.Transaction);
        Assert.Empty(back.FlowsToReset);
        Assert.True(NftDiffer.Compare(Table, undo, before).InSync, "once it is back, the undo is complete");
    }

    [Fact]
    public void An_iptables_save_line_taken_over_is_not_this_backends_to_delete()
    {
        const string iptablesLine = "-A POSTROUTING -s 192.168.1.2/32 -d 198.51.100.10/32 -j SNAT --to-source 203.0.113.2";
        var desired = NftRules.Render(new FirewallPlan([], [], null) { TakenOver = [iptablesLine, Eve] });

        var change = NftDiffer.Compare(Table, desired, Live(NftRulesetSamples.Ruleset));

        Assert.Equal([Eve], change.RetiredPresent.Select(r => r.Text));
        Assert.Equal([iptablesLine, Eve], desired.ToPlan().TakenOver);
    }
}
