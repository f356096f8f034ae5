using System.Net;
using RouterAdmin.Firewall.Backends.Nftables;
using RouterAdmin.Firewall.Model;
using RouterAdmin.Firewall.Planning;
using Xunit;

namespace RouterAdmin.Tests.Firewall.Nftables;

/// <summary>
/// A change that only edits the map's elements works out its flows to reset and its line counts from the edited
/// elements alone; on every kind of edit that must say exactly what comparing both whole tables says.
/// </summary>
public sealed class NftElementEditSpecs
{
    private const string Table = "routeradmin";
    private static readonly BoundAddress Alias = new(IPAddress.Parse("203.0.113.2"), 24, "wan");
    private static readonly BoundAddress Other = new(IPAddress.Parse("203.0.113.9"), 24, "wan");

    private static SnatMapping Mapping(int client, int external, string label = "c") =>
        new(IPAddress.Parse($"10.0.{client / 250}.{client % 250 + 1}"), IPNetwork.Parse("198.51.100.10/32"), IPAddress.Parse($"203.0.113.{external}"), label);

    private static NftOwnedState Rendered(IEnumerable<SnatMapping> mappings, params BoundAddress[] addresses) =>
        NftRules.Render(new FirewallPlan(mappings.ToArray(), addresses, null));

    private static NftLiveState Live(NftOwnedState owned) =>
        new(owned, owned.Addresses.Select(a => new LiveAddress(a, a.OwnedLabel)).ToArray(), NftSyntax.Table(Table, owned), []);

    public static TheoryData<string> Edits => new(["move one", "relabel one", "add one", "remove one", "move three and add two", "bind an address", "unbind the only address"]);

    [Theory]
    [MemberData(nameof(Edits))]
    public void An_element_edit_resets_the_same_flows_and_counts_the_same_lines_as_comparing_both_tables(string edit)
    {
        var before = Enumerable.Range(0, 40).Select(i => Mapping(i, 2 + i % 5)).ToArray();
        var (after, beforeAddresses, afterAddresses) = edit switch
        {
            "move one" => (before.Select((m, i) => i == 7 ? m with { External = IPAddress.Parse("203.0.113.99") } : m).ToArray(), new[] { Alias }, new[] { Alias }),
            "relabel one" => (before.Select((m, i) => i == 7 ? m with { Label = "renamed" } : m).ToArray(), [Alias], [Alias]),
            "add one" => ([.. before, Mapping(300, 4)], [Alias], [Alias]),
            "remove one" => (before.Where((_, i) => i != 11).ToArray(), [Alias], [Alias]),
            "move three and add two" => ([.. before.Select((m, i) => i is 1 or 20 or 39 ? m with { External = IPAddress.Parse("203.0.113.50") } : m), Mapping(301, 3), Mapping(302, 3)], [Alias], [Alias]),
            "bind an address" => (before.Select((m, i) => i == 3 ? m with { External = Other.Address } : m).ToArray(), [Alias], [Alias, Other]),
            _ => (before, [Alias], Array.Empty<BoundAddress>()),
        };

        var change = NftDiffer.Compare(Table, Rendered(after, afterAddresses), Live(Rendered(before, beforeAddresses)));
        // The same change without the shortcut, copied before either side computed anything.
        var whole = change with { ElementEdits = null };

        Assert.NotNull(change.ElementEdits);
        Assert.Equal(whole.FlowsToReset.OrderBy(f => f.ToString()), change.FlowsToReset.OrderBy(f => f.ToString()));
        Assert.Equal((whole.LinesAdded, whole.LinesRemoved), (change.LinesAdded, change.LinesRemoved));
        Assert.Equal(edit == "relabel one", change.FlowsToReset.Count == 0 && change.RulesChange);
    }

    [Fact]
    public void A_first_apply_counts_the_lines_it_adds_without_writing_the_table()
    {
        var owned = Rendered(Enumerable.Range(0, 40).Select(i => Mapping(i, 2 + i % 5)), Alias, Other);
        var change = NftDiffer.Compare(Table, owned, Live(NftOwnedState.Nothing));
        var whole = change with { ElementEdits = null, Live = change.Live with { Addresses = [new LiveAddress(Alias, "manual")] } };

        Assert.Equal(NftSyntax.Table(Table, owned, withAddresses: true).Split('\n', StringSplitOptions.RemoveEmptyEntries).Length, change.LinesAdded);
        Assert.Equal(0, change.LinesRemoved);
        Assert.Equal((whole.LinesAdded, whole.LinesRemoved), (change.LinesAdded, change.LinesRemoved));
    }

    public static TheoryData<string> States => new(["nothing", "an empty map", "elements", "elements, addresses and a masquerade", "a network endpoint"]);

    [Theory]
    [MemberData(nameof(States))]
    public void The_line_count_is_the_number_of_lines_the_table_is_written_in(string state)
    {
        var elements = Enumerable.Range(0, 12).Select(i => Mapping(i, 2 + i % 3)).ToArray();
        var owned = state switch
        {
            "nothing" => NftOwnedState.Nothing,
            "an empty map" => Rendered([]),
            "elements" => Rendered(elements),
            "elements, addresses and a masquerade" => NftRules.Render(new FirewallPlan(elements, [Alias, Other], new MasqueradePlan(IPNetwork.Parse("10.0.0.0/16"), "wan"))),
            _ => Rendered([.. elements, Mapping(400, 4) with { Endpoint = IPNetwork.Parse("198.51.100.0/24") }]),
        };

        foreach (var withAddresses in new[] { false, true })
            Assert.Equal(NftSyntax.Table(Table, owned, withAddresses).Split('\n', StringSplitOptions.RemoveEmptyEntries).Length, NftSyntax.LineCount(owned, withAddresses));
    }

    [Fact]
    public void Element_changes_are_those_of_matching_every_element_by_key_in_any_order()
    {
        var random = new Random(7);
        for (var round = 0; round < 200; round++)
        {
            var live = Enumerable.Range(0, random.Next(0, 60)).Select(i => Mapping(i, 2 + random.Next(4))).ToList();
            var desired = live.Where(_ => random.Next(10) > 0)
                .Select(m => random.Next(8) == 0 ? m with { External = IPAddress.Parse("203.0.113.77") } : random.Next(12) == 0 ? m with { Label = "other" } : m)
                .Concat(Enumerable.Range(100, random.Next(0, 4)).Select(i => Mapping(i, 9)))
                .ToList();
            // The kernel lists elements in its own order; the planner in its own.
            if (random.Next(2) == 0) live = [.. live.OrderBy(_ => random.Next())];

            var (remove, add) = NftDiffer.ElementChanges(live, desired);

            var liveByKey = live.ToDictionary(e => e.Flow);
            var desiredByKey = desired.ToDictionary(e => e.Flow);
            Assert.Equal(live.Where(e => !desiredByKey.TryGetValue(e.Flow, out var d) || !d.Equals(e)), remove);
            Assert.Equal(desired.Where(e => !liveByKey.TryGetValue(e.Flow, out var l) || !l.Equals(e)), add);
        }
    }
}
