using RouterAdmin.Firewall.Backends.Iptables;
using RouterAdmin.Firewall.Backends;
using RouterAdmin.Firewall.Backends.Simulated;
using RouterAdmin.Firewall.LiveState;
using RouterAdmin.Firewall.Model;
using RouterAdmin.Tests.Support;
using Xunit;
using static RouterAdmin.Tests.Firewall.Samples;

namespace RouterAdmin.Tests.Firewall;

/// <summary>The simulated kernel plays restore scripts with iptables-restore --noflush's all-or-nothing semantics.</summary>
public sealed class RestoreInterpreterSpecs
{
    private static readonly NatTable Router = IptablesSaveParser.Parse(NatTable(
        ":ROUTERADMIN-MASQ - [0:0]", ":ROUTERADMIN-SNAT - [0:0]", JumpLine, MasqueradeLine,
        Snat("192.168.1.2", "198.51.100.10/32", "203.0.113.9", "Alice to Contivity")));

    private static string Script(params string[] lines) => string.Join('\n', ["*nat", .. lines, "COMMIT", ""]);

    [Fact]
    public void Declaring_an_existing_owned_chain_empties_it_before_its_rules_are_added_back()
    {
        var bob = Snat("192.168.1.3", "198.51.100.10/32", "203.0.113.10", "Bob to Contivity");

        var after = RestoreInterpreter.Apply(Router, Script(":ROUTERADMIN-SNAT - [0:0]", bob));

        Assert.Equal([bob], after.RulesOf(OwnedChains.Snat).Select(r => r.SaveLine));
        Assert.Equal([JumpLine, MasqueradeLine], after.RulesOf(OwnedChains.Postrouting).Select(r => r.SaveLine));
    }

    [Fact]
    public void Declaring_a_new_chain_creates_it_at_the_end_with_no_policy()
    {
        var after = RestoreInterpreter.Apply(IptablesSaveParser.Parse(NatTable()), Script(":ROUTERADMIN-SNAT - [0:0]"));

        Assert.Equal(("ROUTERADMIN-SNAT", "-"), (after.Chains[^1].Name, after.Chains[^1].Policy));
        Assert.Empty(after.Chains[^1].Rules);
    }

    // Real iptables-restore --noflush empties a declared user chain but keeps a declared built-in chain's rules (it only
    // sets the policy); the simulator must not wipe POSTROUTING where the router keeps it.
    [Fact]
    public void Declaring_a_built_in_chain_keeps_its_rules_as_iptables_restore_noflush_does()
    {
        var after = RestoreInterpreter.Apply(Router, Script(":POSTROUTING ACCEPT [0:0]"));

        Assert.Equal([JumpLine, MasqueradeLine], after.RulesOf(OwnedChains.Postrouting).Select(r => r.SaveLine));
    }

    [Fact]
    public void Insert_goes_to_the_given_position_or_first_and_append_goes_last()
    {
        var after = RestoreInterpreter.Apply(Router, Script(
            "-I POSTROUTING 2 -o eth2 -j RETURN",
            "-I POSTROUTING -o eth3 -j RETURN",
            "-A POSTROUTING -o eth4 -j RETURN"));

        Assert.Equal(
            ["-A POSTROUTING -o eth3 -j RETURN", JumpLine, "-A POSTROUTING -o eth2 -j RETURN", MasqueradeLine, "-A POSTROUTING -o eth4 -j RETURN"],
            after.RulesOf(OwnedChains.Postrouting).Select(r => r.SaveLine));
    }

    [Fact]
    public void Delete_removes_the_rule_with_exactly_that_text_whatever_its_quoting()
    {
        var after = RestoreInterpreter.Apply(Router, Script(
            "-D POSTROUTING -m comment --comment routeradmin\": per-client SNAT, keep first\" -j ROUTERADMIN-SNAT"));

        Assert.Equal([MasqueradeLine], after.RulesOf(OwnedChains.Postrouting).Select(r => r.SaveLine));
    }

    [Fact]
    public void Deleting_a_rule_that_is_not_there_fails_the_whole_transaction_and_leaves_the_table_unchanged()
    {
        var before = IptablesSaveParser.Format(Router);

        var failure = Assert.Throws<FirewallCommandException>(() => RestoreInterpreter.Apply(Router, Script(
            ":ROUTERADMIN-SNAT - [0:0]",
            "-I POSTROUTING 1 -o eth2 -j RETURN",
            "-D POSTROUTING -o eth1 -j ROUTERADMIN-SNAT")));

        Assert.Equal("iptables-restore: line 4 failed: Bad rule (does a matching rule exist in that chain?)", failure.StandardError);
        Assert.Equal(1, failure.ExitCode);
        Assert.Equal(before, IptablesSaveParser.Format(Router));
    }

    [Theory]
    [InlineData("*nat\n-A POSTROUTING -j RETURN\n", "no COMMIT line")]
    [InlineData("*filter\n-A INPUT -j ACCEPT\nCOMMIT\n", "table filter is not simulated")]
    [InlineData("-A POSTROUTING -j RETURN\n", "command outside a table")]
    [InlineData("*nat\n-A NOPE -j RETURN\nCOMMIT\n", "no chain/target/match by the name NOPE")]
    [InlineData("*nat\n-F POSTROUTING\nCOMMIT\n", "unknown command -F")]
    [InlineData("*nat\n-X ROUTERADMIN-SNAT\nCOMMIT\n", "Directory not empty")]
    [InlineData("*nat\n-A POSTROUTING -j ROUTERADMIN-NOPE\nCOMMIT\n", "rule in POSTROUTING jumps to missing chain ROUTERADMIN-NOPE")]
    [InlineData("*nat\n-I POSTROUTING 9 -j RETURN\nCOMMIT\n", "index of insertion too big")]
    public void Anything_the_real_tool_would_refuse_fails_the_transaction_saying_why(string script, string reason)
    {
        var failure = Assert.Throws<FirewallCommandException>(() => RestoreInterpreter.Apply(Router, script));

        Assert.Contains(reason, failure.StandardError);
    }

    [Fact]
    public async Task Through_the_simulated_backend_a_failed_transaction_leaves_the_stored_kernel_untouched()
    {
        await using var database = await TestDatabase.CreateAsync();
        var backend = new SimulatedBackend(database.Factory);
        var ct = TestContext.Current.CancellationToken;
        await backend.RestoreAsync(Script(":ROUTERADMIN-MASQ - [0:0]", ":ROUTERADMIN-SNAT - [0:0]", JumpLine.Replace("-A POSTROUTING", "-I POSTROUTING 1")), ct);
        var before = await backend.SaveNatTableAsync(withCounters: false, ct);

        await Assert.ThrowsAsync<FirewallCommandException>(() => backend.RestoreAsync(Script(
            ":ROUTERADMIN-SNAT - [0:0]",
            Snat("192.168.1.2", "198.51.100.10/32", "203.0.113.9", "Alice to Contivity"),
            "-D POSTROUTING -o eth9 -j ROUTERADMIN-SNAT"), ct));

        Assert.Equal(before, await backend.SaveNatTableAsync(withCounters: false, ct));
        Assert.Equal([JumpLine, MasqueradeLine], IptablesSaveParser.Parse(before).RulesOf(OwnedChains.Postrouting).Select(r => r.SaveLine));
    }

    [Fact]
    public async Task A_fresh_simulated_router_masquerades_the_configured_LAN_and_has_no_addresses()
    {
        await using var database = await TestDatabase.CreateAsync();
        var backend = new SimulatedBackend(database.Factory);
        var ct = TestContext.Current.CancellationToken;

        var state = await new IptablesBackend(backend).ReadKernelAsync(ct);

        Assert.Equal([MasqueradeLine], state.Table.RulesOf(OwnedChains.Postrouting).Select(r => r.SaveLine));
        Assert.Empty(state.Addresses);
        Assert.True(state.Owned.IsEquivalentTo(OwnedState.Nothing));
    }
}
