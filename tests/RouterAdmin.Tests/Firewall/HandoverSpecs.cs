using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using RouterAdmin.Firewall.Backends;
using RouterAdmin.Firewall.Backends.Handover;
using RouterAdmin.Firewall.Backends.Iptables;
using RouterAdmin.Firewall.Backends.Nftables;
using RouterAdmin.Firewall.Model;
using RouterAdmin.Firewall.Planning;
using Xunit;

namespace RouterAdmin.Tests.Firewall;

/// <summary>
/// The switch from iptables to nftables, in the pure parts of the seam (no tool runs): what the nftables owner makes of
/// the iptables backend's leftovers and of the revisions it stored, and the change that hands over.
/// </summary>
public sealed class HandoverSpecs
{
    /// <summary><c>iptables-save -t nat</c> of the lab router after the iptables backend applied two users (iptables 1.8.9 nf_tables).</summary>
    private const string IptablesLeftovers = """
        *nat
        :PREROUTING ACCEPT [0:0]
        :INPUT ACCEPT [0:0]
        :OUTPUT ACCEPT [0:0]
        :POSTROUTING ACCEPT [0:0]
        :ROUTERADMIN-MASQ - [0:0]
        :ROUTERADMIN-SNAT - [0:0]
        -A POSTROUTING -m comment --comment "routeradmin: per-client SNAT, keep first" -j ROUTERADMIN-SNAT
        -A POSTROUTING -s 192.168.1.0/24 -o wan -j MASQUERADE
        -A ROUTERADMIN-SNAT -s 192.168.1.2/32 -d 198.51.100.10/32 -m comment --comment "routeradmin: client1 to VPN" -j SNAT --to-source 203.0.113.2
        -A ROUTERADMIN-SNAT -s 192.168.1.3/32 -d 198.51.100.10/32 -m comment --comment "routeradmin: client2 to VPN" -j SNAT --to-source 203.0.113.3
        COMMIT

        """;

    private static readonly FirewallPlan TwoUsers = new(
    [
        new SnatMapping(IPAddress.Parse("192.168.1.2"), IPNetwork.Parse("198.51.100.10/32"), IPAddress.Parse("203.0.113.2"), "client1 to VPN"),
        new SnatMapping(IPAddress.Parse("192.168.1.3"), IPNetwork.Parse("198.51.100.10/32"), IPAddress.Parse("203.0.113.3"), "client2 to VPN"),
    ], [], null);

    private static (HandoverBackend Backend, NftablesBackend Nft, IptablesBackend Iptables) NftablesOwner()
    {
        var options = Options.Create(new FirewallOptions { Backend = FirewallBackendKind.Nftables });
        var runner = new CommandRunner(options, NullLogger<CommandRunner>.Instance);
        var host = new HostTools(runner, new RouterAdmin.Firewall.Backends.Netlink.AddressNetlink(options), new RouterAdmin.Firewall.Backends.Netlink.ConntrackNetlink(options), options);
        var generations = new NftGeneration(options, NullLogger<NftGeneration>.Instance);
        var nft = new NftablesBackend(new NftTools(runner, new NftLibrary(options, NullLogger<NftLibrary>.Instance), options), host, generations, options);
        var iptables = new IptablesBackend(new IptablesTools(runner, host, generations, options));
        var sides = new HandoverSides(nft, FirewallBackendKind.Nftables, iptables, FirewallBackendKind.Iptables);
        return (new HandoverBackend(sides, NullLogger<HandoverBackend>.Instance), nft, iptables);
    }

    private static HandoverLive SwitchPending(NftablesBackend nft, bool holds = true) =>
        new(nft.Build(null, []), LiveStateBuilder.Build(IptablesLeftovers, []), holds, NftablesOwner().Backend.Sides);

    [Fact]
    public void The_iptables_backends_leftovers_are_a_handover_that_installs_the_table_first_and_resets_no_flow()
    {
        var (backend, nft, _) = NftablesOwner();

        var change = Assert.IsType<HandoverChange>(backend.Compare(backend.Render(TwoUsers), SwitchPending(nft)));

        Assert.False(change.PreviousFirst);
        Assert.Empty(change.FlowsToReset);
        Assert.StartsWith("# the nftables table (nft -f):\nadd table ip routeradmin\n", change.Transaction);
        Assert.Contains("# left by the iptables backend: will be removed after the nftables table is installed (iptables-restore):\n*nat\n", change.Transaction);
        Assert.Contains("-X ROUTERADMIN-SNAT\n", change.Transaction);
        Assert.DoesNotContain("MASQUERADE", change.Transaction);
        // The mappings leave from the same addresses before and after: in people's words nothing moves.
        var words = RouterAdmin.Firewall.Diff.PlanChanges.Between(change.Live.Owned.ToPlan(), TwoUsers);
        Assert.Empty(words.Mappings);
        Assert.Equal("left by the iptables backend: will be removed after the nftables table is installed", words.Handover);
    }

    [Fact]
    public void Its_undo_puts_the_iptables_chains_back_before_the_table_lets_go()
    {
        var (backend, nft, _) = NftablesOwner();
        var undo = backend.Load(backend.Compare(backend.Render(TwoUsers), SwitchPending(nft)).Undo.ToJson());
        var switched = new HandoverLive(nft.Build(null, []) with { Owned = (NftOwnedState)nft.Render(TwoUsers) },
            LiveStateBuilder.Build("*nat\n:POSTROUTING ACCEPT [0:0]\n-A POSTROUTING -s 192.168.1.0/24 -o wan -j MASQUERADE\nCOMMIT\n", []), false, backend.Sides);

        var back = Assert.IsType<HandoverChange>(backend.Compare(undo, switched));

        Assert.True(back.PreviousFirst);
        Assert.Empty(back.FlowsToReset);
        Assert.Contains("-A ROUTERADMIN-SNAT -s 192.168.1.2/32", back.PreviousChange.Transaction);
        Assert.Equal("delete table ip routeradmin\n", back.OwnerChange.Transaction);
        Assert.Equal(["iptables-restore -w 10 --noflush < script   # iptables rules put back first; then the nftables table lets go of those clients"],
            backend.DescribeCommit(back).Take(1).Select(c => c[c.IndexOf("iptables-restore", StringComparison.Ordinal)..]));
    }

    [Fact]
    public void A_revision_the_iptables_backend_stored_loads_as_the_iptables_side_so_its_state_is_not_drift()
    {
        var (backend, nft, iptables) = NftablesOwner();
        var stored = iptables.Render(TwoUsers).ToJson();

        var loaded = Assert.IsType<HandoverOwned>(backend.Load(stored));

        Assert.Equal(FirewallBackendKind.Iptables, loaded.StoredBy);
        Assert.True(backend.Compare(loaded, SwitchPending(nft)).InSync);
        Assert.True(backend.IsStoredState(stored));
    }

    [Fact]
    public void Without_anything_of_the_other_backend_on_the_router_every_answer_is_the_owners_own()
    {
        var (backend, nft, _) = NftablesOwner();
        var live = new HandoverLive(nft.Build(null, []), LiveStateBuilder.Build("*nat\n:POSTROUTING ACCEPT [0:0]\nCOMMIT\n", []), false, backend.Sides);

        var change = backend.Compare(backend.Render(TwoUsers), live);

        Assert.IsType<NftChange>(change);
        Assert.IsType<NftOwnedState>(backend.Load(nft.Render(TwoUsers).ToJson()));
    }
}
