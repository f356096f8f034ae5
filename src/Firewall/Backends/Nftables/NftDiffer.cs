using System.Runtime.CompilerServices;
using RouterAdmin.Firewall.Model;
using RouterAdmin.Firewall.Planning;

namespace RouterAdmin.Firewall.Backends.Nftables;

/// <summary>Compares the wanted table with the live one and writes the one transaction that turns one into the other. Pure.</summary>
public static class NftDiffer
{
    /// <summary>
    /// Above this many changed elements the whole table is written again: one load of the table costs about as much
    /// as a few hundred element edits, and a full replace also repairs anything else found in the table.
    /// </summary>
    public const int MaxElementEdits = 500;

    public static NftChange Compare(string table, NftOwnedState desired, NftLiveState live)
    {
        var owned = live.Owned;
        string transaction;
        var replaces = false;
        (IReadOnlyList<SnatMapping> Remove, IReadOnlyList<SnatMapping> Add)? edits = null;
        if (desired.Exists && owned.SameStructureAs(desired))
        {
            var (remove, add) = ElementChanges(owned.Elements, desired.Elements);
            if (remove.Count + add.Count <= MaxElementEdits) (transaction, edits) = (NftSyntax.ChangeElements(table, remove, add), (remove, add));
            else (transaction, replaces) = (NftSyntax.Replace(table, desired), true);
        }
        else if (!desired.Exists && !owned.Exists) transaction = "";
        else if (!desired.Exists) transaction = $"delete table ip {table}\n";
        else (transaction, replaces) = (NftSyntax.Replace(table, desired), true);

        // Hand-written rules go in the same transaction that installs (or, for an undo, removes) what replaces them:
        // no packet ever sees neither.
        var retired = desired.Retired.ToHashSet(StringComparer.Ordinal);
        var retiredPresent = live.Foreign.Snat.Where(r => retired.Contains(r.Text)).ToArray();
        var present = live.Foreign.Snat.Select(r => r.Text).ToHashSet(StringComparer.Ordinal);
        var reinstate = desired.Reinstated.Where(r => !present.Contains(r.Text)).ToArray();
        transaction += NftSyntax.HandWritten(retiredPresent, reinstate, live.Foreign);

        var liveAddresses = live.Addresses.Select(a => a.Bound).ToHashSet();
        var wanted = desired.Addresses.ToHashSet();
        return new NftChange(table, desired, live, transaction, replaces,
            desired.Addresses.Where(a => !liveAddresses.Contains(a)).ToArray(),
            owned.Addresses.Where(a => !wanted.Contains(a)).ToArray())
        {
            RetiredPresent = retiredPresent,
            ReinstateMissing = reinstate,
            ElementEdits = edits,
        };
    }

    /// <summary>Elements to delete and to add: a changed address or label is one of each (nft has no "replace element").</summary>
    // Each side has one element per key. The wanted elements come in the planner's order, and so do the live ones
    // when they are what the last apply put there: the long stretches that are the same at the start and at the end
    // are passed over pair by pair, and only what lies between is matched by key (a one-client change on 10,000
    // mappings compares 10,000 pairs and looks up two keys). Compiled optimised from the first call: it runs once
    // per preview, too rarely for tiered compilation.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static (IReadOnlyList<SnatMapping> Remove, IReadOnlyList<SnatMapping> Add) ElementChanges(
        IReadOnlyList<SnatMapping> live, IReadOnlyList<SnatMapping> desired)
    {
        var start = 0;
        while (start < live.Count && start < desired.Count && live[start].Equals(desired[start])) start++;
        int liveEnd = live.Count, desiredEnd = desired.Count;
        while (liveEnd > start && desiredEnd > start && live[liveEnd - 1].Equals(desired[desiredEnd - 1])) (liveEnd, desiredEnd) = (liveEnd - 1, desiredEnd - 1);

        var liveByKey = new Dictionary<(System.Net.IPAddress, System.Net.IPNetwork), SnatMapping>(liveEnd - start);
        for (var i = start; i < liveEnd; i++) liveByKey.TryAdd(live[i].Flow, live[i]);
        var desiredByKey = new Dictionary<(System.Net.IPAddress, System.Net.IPNetwork), SnatMapping>(desiredEnd - start);
        for (var i = start; i < desiredEnd; i++) desiredByKey.TryAdd(desired[i].Flow, desired[i]);

        var remove = new List<SnatMapping>();
        for (var i = start; i < liveEnd; i++)
            if (!desiredByKey.TryGetValue(live[i].Flow, out var wanted) || !wanted.Equals(live[i])) remove.Add(live[i]);
        var add = new List<SnatMapping>();
        for (var i = start; i < desiredEnd; i++)
            if (!liveByKey.TryGetValue(desired[i].Flow, out var found) || !found.Equals(desired[i])) add.Add(desired[i]);
        return (remove, add);
    }

    /// <summary>
    /// A flow loses its conntrack entry whenever the address it should leave from changes (new, moved or removed
    /// mapping): an ESP flow, refreshed by every packet, otherwise keeps its old source for as long as it lives. A
    /// hand-written rule being replaced (or put back) counts as a mapping: if ours says the same, nothing moves.
    /// </summary>
    public static IReadOnlyList<FlowKey> FlowsToReset(NftOwnedState before, NftOwnedState after,
        IReadOnlyList<NftForeignRule>? retiredPresent = null, IReadOnlyList<NftForeignRule>? reinstate = null)
    {
        var old = Effective(before, retiredPresent ?? []);
        var @new = Effective(after, reinstate ?? []);
        return old.Keys.Union(@new.Keys)
            .Where(flow => !Equals(old.GetValueOrDefault(flow), @new.GetValueOrDefault(flow)))
            .Select(flow => new FlowKey(flow.Source, flow.Destination))
            .ToArray();
    }

    /// <summary>
    /// The flows whose address changes when only these elements are deleted and added (no hand-written rule goes or
    /// comes back): the others' mappings are the same on both sides, so only the edited keys need looking at.
    /// </summary>
    public static IReadOnlyList<FlowKey> FlowsToReset(IReadOnlyList<SnatMapping> remove, IReadOnlyList<SnatMapping> add)
    {
        var before = remove.GroupBy(e => e.Flow).ToDictionary(g => g.Key, g => g.First().External);
        var after = add.GroupBy(e => e.Flow).ToDictionary(g => g.Key, g => g.First().External);
        return before.Keys.Union(after.Keys)
            .Where(flow => !Equals(before.GetValueOrDefault(flow), after.GetValueOrDefault(flow)))
            .Select(flow => new FlowKey(new System.Net.IPNetwork(flow.Client, 32), flow.Endpoint))
            .ToArray();
    }

    /// <summary>Where each flow leaves from: a hand-written rule in a chain before ours wins, then ours, then the rest.</summary>
    private static Dictionary<(System.Net.IPNetwork Source, System.Net.IPNetwork Destination), System.Net.IPAddress> Effective(
        NftOwnedState owned, IReadOnlyList<NftForeignRule> handWritten)
    {
        var mappings = handWritten.Where(r => r.AheadOfOwned).Select(r => r.Mapping)
            .Concat(owned.Mappings)
            .Concat(handWritten.Where(r => !r.AheadOfOwned).Select(r => r.Mapping))
            .OfType<FoundMapping>();
        return mappings.GroupBy(m => m.Flow).ToDictionary(g => g.Key, g => g.First().ToSource);
    }
}
