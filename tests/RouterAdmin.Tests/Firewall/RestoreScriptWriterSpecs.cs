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

        var script = RestoreScriptWriter.Write(Wanting(rule), Wanting(rule));

        var line = Assert.Single(script.Split('\n'), l => l.StartsWith("-A ", StringComparison.Ordinal));
        Assert.Equal("-A ROUTERADMIN-SNAT -s 192.168.1.2/32 -m comment --comment \"a \\\"b\\\" \\\\ c -j ACCEPT\" -j SNAT --to-source 203.0.113.2", line);
        Assert.Equal(["-A", .. rule.Arguments.Prepend(rule.Chain)], IptablesSyntax.Split(line));
    }

    [Fact]
    public void Both_owned_chains_are_declared_so_they_are_emptied_before_the_rules_are_added_back()
    {
        var script = RestoreScriptWriter.Write(Wanting(), Wanting());

        Assert.Equal("*nat\n:ROUTERADMIN-SNAT - [0:0]\n:ROUTERADMIN-MASQ - [0:0]\nCOMMIT\n", script);
    }
}
