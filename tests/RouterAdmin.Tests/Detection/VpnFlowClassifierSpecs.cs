using System.Net;
using RouterAdmin.Detection;
using RouterAdmin.Firewall.Backends;
using RouterAdmin.Inventory;
using Xunit;

namespace RouterAdmin.Tests.Detection;

/// <summary>
/// The three kinds of VPN user, told apart from the watch's counts of unconfirmed ESP packets and conntrack's ESP entries,
/// in the shapes the kernel reads produce (the lab specs prove the reads on a real router).
/// </summary>
public sealed class VpnFlowClassifierSpecs
{
    private static readonly IPAddress Server = IPAddress.Parse("198.51.100.10");
    private const string Masquerade = "203.0.113.1";

    // Ann is assigned 203.0.113.2 towards Contivity; Eli is a client without an assignment; 192.168.1.9 is unknown.
    private static readonly InventorySnapshot Inventory = new(
        new InventorySnapshot.SettingsRow("wan", IPNetwork.Parse("192.168.1.0/24"), false),
        [new(1, "Ann", IPAddress.Parse("192.168.1.2"), null, null, true), new(2, "Eli", IPAddress.Parse("192.168.1.3"), null, null, true)],
        [new(1, IPAddress.Parse("203.0.113.2"), "wan", 24, true, null)],
        [new(1, "Contivity", IPNetwork.Parse("198.51.100.0/28"), null)],
        [new(1, 1, 1, 1, DateTimeOffset.UnixEpoch)]);

    private static ConntrackEntry Esp(string lanHost, string leavesFrom, string server = "198.51.100.10") =>
        new("esp", lanHost, server, server, leavesFrom, 599);

    private static WatchedFlow Watched(string lanHost, long packets, string server = "198.51.100.10") =>
        new(IPAddress.Parse(lanHost), IPAddress.Parse(server), packets);

    private static readonly Dictionary<(IPAddress, IPAddress), long> NothingBefore = [];

    [Fact]
    public void A_flow_leaving_from_its_assigned_address_is_fine_one_through_the_masquerade_is_at_risk_and_one_without_an_entry_is_dropped()
    {
        var flows = VpnFlowClassifier.Classify(
            [Watched("192.168.1.2", 1), Watched("192.168.1.3", 4), Watched("192.168.1.9", 37)],
            NothingBefore,
            [Esp("192.168.1.2", "203.0.113.2"), Esp("192.168.1.3", Masquerade), new("udp", "192.168.1.9", "198.51.100.10", "198.51.100.10", Masquerade, 30)],
            Inventory);

        Assert.Equal(
        [
            ("192.168.1.9", VpnFlowState.Dropped, null, "192.168.1.9"),
            ("192.168.1.3", VpnFlowState.AtRisk, Masquerade, "Eli (192.168.1.3)"),
            ("192.168.1.2", VpnFlowState.Fine, "203.0.113.2", "Ann (192.168.1.2)"),
        ], flows.Select(f => (f.LanHost.ToString(), f.State, f.LeavesFrom, f.Who)));
        Assert.All(flows, f => Assert.Equal("Contivity", f.EndpointName));
        Assert.Equal(37, flows[0].UnconfirmedPackets);
    }

    [Fact]
    public void An_assigned_client_whose_flow_still_leaves_from_the_masquerade_address_is_at_risk_not_fine()
    {
        // Assigned, but its conntrack entry predates the mapping (the apply's reset has not happened): not yet protected.
        var flows = VpnFlowClassifier.Classify([Watched("192.168.1.2", 1)], NothingBefore, [Esp("192.168.1.2", Masquerade)], Inventory);

        Assert.Equal(VpnFlowState.AtRisk, Assert.Single(flows).State);
    }

    [Fact]
    public void A_host_without_an_entry_is_dropped_only_while_its_count_grows_an_ended_tunnel_is_not_reported()
    {
        var before = new Dictionary<(IPAddress, IPAddress), long> { [(IPAddress.Parse("192.168.1.9"), Server)] = 37 };

        Assert.Empty(VpnFlowClassifier.Classify([Watched("192.168.1.9", 37)], before, [], Inventory));
        Assert.Equal(VpnFlowState.Dropped, Assert.Single(VpnFlowClassifier.Classify([Watched("192.168.1.9", 40)], before, [], Inventory)).State);
    }

    [Fact]
    public void A_server_no_endpoint_covers_is_named_as_new()
    {
        var flows = VpnFlowClassifier.Classify([Watched("192.168.1.2", 1, server: "192.0.2.50")], NothingBefore, [Esp("192.168.1.2", Masquerade, server: "192.0.2.50")], Inventory);

        var flow = Assert.Single(flows);
        Assert.True(flow.ServerIsNew);
        Assert.Null(flow.EndpointName);
        Assert.Equal(VpnFlowState.AtRisk, flow.State);
    }

    private static ConntrackEntry Udp(string lanHost, int port, string leavesFrom, int leavesFromPort, string server = "198.51.100.10") =>
        new("udp", lanHost, server, server, leavesFrom, 29, port, port, leavesFromPort);

    [Fact]
    public void A_host_with_only_ike_through_the_masquerade_is_at_risk_before_its_esp_starts_and_says_the_port_it_leaves_from()
    {
        // Measured: the second host's IKE behind the shared address leaves from another port (173), not dropped.
        var flows = VpnFlowClassifier.Classify([], NothingBefore, [Udp("192.168.1.9", 500, Masquerade, 173), Udp("192.168.1.2", 500, "203.0.113.2", 500)], Inventory);

        Assert.Equal(
        [
            ("192.168.1.9", VpnFlowState.AtRisk, VpnTraffic.Ike, Masquerade, (int?)173),
            ("192.168.1.2", VpnFlowState.Fine, VpnTraffic.Ike, "203.0.113.2", (int?)500),
        ], flows.Select(f => (f.LanHost.ToString(), f.State, f.Traffic, f.LeavesFrom, f.LeavesFromPort)));
        Assert.Equal(0, flows[0].UnconfirmedPackets);
    }

    [Fact]
    public void Once_esp_flows_the_host_is_judged_by_its_esp_and_ike_adds_no_second_row()
    {
        var flows = VpnFlowClassifier.Classify([Watched("192.168.1.9", 12)], NothingBefore, [Udp("192.168.1.9", 500, Masquerade, 173)], Inventory);

        var flow = Assert.Single(flows);
        Assert.Equal((VpnFlowState.Dropped, VpnTraffic.Esp), (flow.State, flow.Traffic));
    }

    [Fact]
    public void A_pair_that_also_talks_nat_traversal_cannot_collide_and_its_ike_alone_is_not_reported()
    {
        var flows = VpnFlowClassifier.Classify([], NothingBefore, [Udp("192.168.1.9", 500, Masquerade, 500), Udp("192.168.1.9", 4500, Masquerade, 64087)], Inventory);

        Assert.Empty(flows);
    }

    [Fact]
    public void An_esp_entry_the_watch_no_longer_counts_is_still_judged_by_where_it_leaves_from()
    {
        // A replied tunnel adds only its first packet to the watch's set, which forgets it after 15 minutes; conntrack keeps it.
        var flows = VpnFlowClassifier.Classify([], NothingBefore, [Esp("192.168.1.3", Masquerade), Esp("192.168.1.2", "203.0.113.2")], Inventory);

        Assert.Equal([("192.168.1.3", VpnFlowState.AtRisk), ("192.168.1.2", VpnFlowState.Fine)], flows.Select(f => (f.LanHost.ToString(), f.State)));
    }

    [Fact]
    public void Entries_from_outside_the_lan_to_the_lan_or_left_untranslated_are_not_vpn_users_of_this_router()
    {
        var flows = VpnFlowClassifier.Classify([], NothingBefore,
        [
            Esp("10.0.0.5", Masquerade),
            new("esp", "192.168.1.3", "192.168.1.4", "192.168.1.4", "192.168.1.3", 599),
            Udp("192.168.1.9", 500, "192.168.1.9", 500),
            new("udp", "192.168.1.9", "198.51.100.10", "198.51.100.10", Masquerade, 29, 53000, 53, 53000),
        ], Inventory);

        Assert.Empty(flows);
    }
}
