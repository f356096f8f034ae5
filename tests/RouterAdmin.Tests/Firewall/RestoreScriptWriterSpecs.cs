using RouterAdmin.Firewall.Backends.Iptables;
using RouterAdmin.Firewall.Diff;
using RouterAdmin.Firewall.Model;
using Xunit;

namespace RouterAdmin.Tests.Firewall;

/// <summary>The restore script is the one thing that reaches iptables-restore: a word that could end a line early is never written.</summary>
public sealed class RestoreScriptWriterSpecs
{
    private static OwnedState Wanting(params NatRule[] rules) =>
        new(true, [new Jump(1, OwnedChains.JumpRule)], rules, [], []);

    [Theory]
    [InlineData("Alice\nCOMMIT")]
    [InlineData("Alice\r\n*filter")]
    [InlineData("Alice\0")]
    public void A_rule_with_a_line_break_or_control_character_in_any_word_is_refused(string comment)
    {
        var rule = new NatRule(OwnedChains.Snat, ["-s", "192.168.1.2/32", "-m", "comment", "--comment", comment, "-j", "SNAT", "--to-source", "203.0.113.2"]);

        var refusal = Assert.Throws<InvalidOperationException>(() => RestoreScriptWriter.Write(Wanting(rule), OwnedState.Nothing));

        Assert.StartsWith("Refusing to write a rule containing a control character:", refusal.Message);
    }

    [Fact]
    public void A_stray_jump_with_a_line_break_is_refused_rather_than_deleted_by_a_broken_line()
    {
        var stray = new NatRule(OwnedChains.Postrouting, ["-m", "comment", "--comment", "x\n-F", "-j", OwnedChains.Snat]);
        var live = new OwnedState(true, [new Jump(2, stray)], [], [], []);

        Assert.Throws<InvalidOperationException>(() => RestoreScriptWriter.Write(Wanting(), live));
    }

    [Fact]
    public void Quotes_and_backslashes_in_a_word_are_escaped_so_the_word_stays_one_word()
    {
        var rule = new NatRule(OwnedChains.Snat, ["-s", "192.168.1.2/32", "-m", "comment", "--comment", "a \"b\" \\ c -j ACCEPT", "-j", "SNAT", "--to-source", "203.0.113.2"]);

        var script = RestoreScriptWriter.Write(Wanting(rule), OwnedState.Nothing);

        var line = Assert.Single(script.Split('\n'), l => l.StartsWith("-A ", StringComparison.Ordinal));
        Assert.Equal("-A ROUTERADMIN-SNAT -s 192.168.1.2/32 -m comment --comment \"a \\\"b\\\" \\\\ c -j ACCEPT\" -j SNAT --to-source 203.0.113.2", line);
        Assert.Equal(["-A", .. rule.Arguments.Prepend(rule.Chain)], IptablesSyntax.Split(line));
    }

    [Fact]
    public void On_a_router_without_the_owned_chains_both_are_declared_and_every_rule_added_with_the_jump_first()
    {
        var rule = Rule(1);

        var script = RestoreScriptWriter.Write(Wanting(rule), OwnedState.Nothing);

        Assert.Equal("*nat\n:ROUTERADMIN-SNAT - [0:0]\n:ROUTERADMIN-MASQ - [0:0]\n" + rule.SaveLine + "\n-I POSTROUTING 1 " + OwnedChains.JumpRule.Spec + "\nCOMMIT\n", script);
    }

    [Fact]
    public void A_small_change_deletes_the_rules_that_go_by_their_text_and_inserts_the_new_ones_at_their_places()
    {
        var live = Wanting(Enumerable.Range(1, 40).Select(Rule).ToArray());
        var wanted = Wanting(Enumerable.Range(1, 40).Where(n => n != 7).Append(41).Append(100).OrderBy(n => n).Select(Rule).Prepend(Rule(0)).ToArray());

        var script = RestoreScriptWriter.Write(wanted, live);

        Assert.Equal(
        [
            "*nat",
            "-D " + Rule(7).SaveLine[3..],
            "-I ROUTERADMIN-SNAT 1 " + Rule(0).Spec,
            "-I ROUTERADMIN-SNAT 41 " + Rule(41).Spec,
            "-I ROUTERADMIN-SNAT 42 " + Rule(100).Spec,
            "COMMIT",
        ], script.TrimEnd('\n').Split('\n'));
        // Played as iptables-restore would, the chain ends up exactly as wanted.
        var table = RouterAdmin.Firewall.Backends.Simulated.RestoreInterpreter.Apply(TableOf(live), script);
        Assert.Equal(wanted.SnatRules, table.RulesOf(OwnedChains.Snat));
    }

    [Fact]
    public void A_large_change_rewrites_the_owned_chain_rather_than_editing_it_rule_by_rule()
    {
        var live = Wanting(Enumerable.Range(1, 40).Select(Rule).ToArray());
        var wanted = Wanting(Enumerable.Range(21, 40).Select(Rule).ToArray());

        var script = RestoreScriptWriter.Write(wanted, live);

        Assert.StartsWith("*nat\n:ROUTERADMIN-SNAT - [0:0]\n:ROUTERADMIN-MASQ - [0:0]\n", script);
        Assert.Equal(40, script.Split('\n').Count(l => l.StartsWith("-A ROUTERADMIN-SNAT ", StringComparison.Ordinal)));
        Assert.Equal(wanted.SnatRules, RouterAdmin.Firewall.Backends.Simulated.RestoreInterpreter.Apply(TableOf(live), script).RulesOf(OwnedChains.Snat));
    }

    [Fact]
    public void Kept_rules_in_another_order_are_rewritten_because_inserting_cannot_reorder_them()
    {
        var live = Wanting(Rule(2), Rule(1), Rule(3));
        var wanted = Wanting(Rule(1), Rule(2), Rule(3));

        var script = RestoreScriptWriter.Write(wanted, live);

        Assert.Contains(":ROUTERADMIN-SNAT - [0:0]", script);
        Assert.Equal(wanted.SnatRules, RouterAdmin.Firewall.Backends.Simulated.RestoreInterpreter.Apply(TableOf(live), script).RulesOf(OwnedChains.Snat));
    }

    private static NatRule Rule(int n) =>
        new(OwnedChains.Snat, ["-s", $"10.0.{n / 250}.{n % 250 + 1}/32", "-d", "198.51.100.10/32", "-j", "SNAT", "--to-source", "203.0.113.2"]);

    private static NatTable TableOf(OwnedState state) =>
        new([new NatChain(OwnedChains.Postrouting, "ACCEPT", state.Jumps.Select(j => j.Rule).ToArray()),
             new NatChain(OwnedChains.Snat, "-", state.SnatRules), new NatChain(OwnedChains.Masquerade, "-", state.MasqueradeRules)]);
}
