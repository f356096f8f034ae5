using RouterAdmin.Tests.Support;
using RouterAdmin.Firewall.Backends.Iptables;
using RouterAdmin.Firewall.Backends.Simulated;
using RouterAdmin.Firewall.Diff;
using RouterAdmin.Firewall.LiveState;
using RouterAdmin.Firewall.Model;
using RouterAdmin.Firewall.Planning;
using Xunit;
using static RouterAdmin.Tests.Firewall.Samples;

namespace RouterAdmin.Tests.Firewall;

/// <summary>
/// Names reach the kernel only inside a rule comment, reduced to letters, digits and a few harmless marks: a quote,
/// line break, COMMIT, *filter or -j ACCEPT in a name cannot leave the comment or add a rule.
/// </summary>
public sealed class CommentSanitisingSpecs
{
    [Theory]
    [InlineData("Alice", "Alice")]
    [InlineData("alice.smith@corp+vpn-1_x", "alice.smith@corp+vpn-1_x")]
    [InlineData("O'Brien \"the boss\"", "O_Brien__the_boss_")]
    [InlineData("Alice\nCOMMIT\n*filter", "Alice_COMMIT__filter")]
    [InlineData("x\" -j ACCEPT #", "x__-j_ACCEPT__")]
    [InlineData("<script>", "_script_")]
    [InlineData("Zoë", "Zo_")]
    [InlineData("back\\slash", "back_slash")]
    [InlineData("", "_")]
    public void Only_letters_digits_and_harmless_marks_survive(string name, string safe)
    {
        Assert.Equal(safe, FirewallPlanner.CommentSafe(name));
    }

    [Fact]
    public void A_long_name_is_cut_to_48_characters()
    {
        Assert.Equal(new string('a', 48), FirewallPlanner.CommentSafe(new string('a', 60)));
    }

    [Fact]
    public void A_hostile_name_renders_exactly_the_expected_restore_lines_and_nothing_more()
    {
        const string hostile = "Eve\" -j ACCEPT\nCOMMIT\n*filter\n-A INPUT -j ACCEPT\n#";
        var inventory = InventoryOf(
            [Client(1, hostile, "192.168.1.66")],
            [External(1, "203.0.113.9")],
            [Endpoint(1, "VPN\"\n-X", "198.51.100.10")],
            [Assignment(1, 1, 1, 1)]);

        var script = RestoreScriptWriter.Write(Planned.Rules(inventory), OwnedState.Nothing);

        Assert.Equal(
        [
            "*nat",
            ":ROUTERADMIN-SNAT - [0:0]",
            ":ROUTERADMIN-MASQ - [0:0]",
            "-A ROUTERADMIN-SNAT -s 192.168.1.66/32 -d 198.51.100.10/32 -m comment --comment \"routeradmin: Eve__-j_ACCEPT_COMMIT__filter_-A_INPUT_-j_ACCEPT to VPN__-X\" -j SNAT --to-source 203.0.113.9",
            "-I POSTROUTING 1 -m comment --comment \"routeradmin: per-client SNAT, keep first\" -j ROUTERADMIN-SNAT",
            "COMMIT",
            "",
        ], script.Split('\n'));
    }

    [Fact]
    public void Played_against_a_table_the_hostile_script_adds_one_rule_and_one_jump_and_nothing_else()
    {
        var inventory = InventoryOf(
            [Client(1, "Eve\" -j ACCEPT\nCOMMIT\n*filter", "192.168.1.66")],
            [External(1, "203.0.113.9")],
            [Endpoint(1, "VPN", "198.51.100.10")],
            [Assignment(1, 1, 1, 1)]);
        var before = IptablesSaveParser.Parse(NatTable(MasqueradeLine));

        var after = RestoreInterpreter.Apply(before, RestoreScriptWriter.Write(Planned.Rules(inventory), OwnedState.Nothing));

        var rule = Assert.Single(after.RulesOf(OwnedChains.Snat));
        Assert.Equal("routeradmin: Eve__-j_ACCEPT_COMMIT__filter to VPN", rule.Comment);
        Assert.Equal(("SNAT", "203.0.113.9"), (rule.Target, rule.ValueOf("--to-source")));
        Assert.Equal([JumpLine, MasqueradeLine], after.RulesOf(OwnedChains.Postrouting).Select(r => r.SaveLine));
        Assert.Equal(6, after.Chains.Count);
        Assert.Empty(after.RulesOf(OwnedChains.Masquerade));
    }
}
