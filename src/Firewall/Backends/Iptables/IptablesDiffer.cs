using System.Text;
using RouterAdmin.Firewall.Diff;
using RouterAdmin.Firewall.Model;

namespace RouterAdmin.Firewall.Backends.Iptables;

/// <summary>Compares the wanted owned state with the live kernel and says what must change. Pure: no I/O.</summary>
public static class IptablesDiffer
{
    public static IptablesChange Compare(OwnedState desired, KernelState live)
    {
        var owned = live.Owned;
        var retiredPresent = RetiredPresent(desired, live);
        var reinstate = desired.Reinstated.Where(r => !live.Table.RulesOf(r.Rule.Chain).Contains(r.Rule)).ToArray();
        var rulesDiffer = owned.ChainsExist != desired.ChainsExist
            || !owned.Jumps.SequenceEqual(desired.Jumps)
            || !owned.SnatRules.SequenceEqual(desired.SnatRules)
            || !owned.MasqueradeRules.SequenceEqual(desired.MasqueradeRules)
            || retiredPresent.Count > 0
            || reinstate.Length > 0;

        var liveAddresses = live.Addresses.Select(a => a.Bound).ToHashSet();
        var addressesToAdd = desired.Addresses.Where(a => !liveAddresses.Contains(a)).ToArray();
        var wanted = desired.Addresses.ToHashSet();
        var addressesToRemove = owned.Addresses.Where(a => !wanted.Contains(a)).ToArray();

        return new IptablesChange(
            desired,
            live,
            rulesDiffer ? RestoreScriptWriter.Write(desired, owned, retiredPresent, reinstate) : "",
            addressesToAdd,
            addressesToRemove,
            retiredPresent)
        {
            ReinstateMissing = reinstate,
        };
    }

    /// <summary>
    /// The verify step's fast path: whether iptables-save's own text already shows exactly the wanted owned chains, jump
    /// and taken-over rules gone, compared line by line without parsing 10,000 rules. iptables-save's text is the truth,
    /// so a match is proof; anything else (a quoting the planner did not predict, a comment that merely mentions the
    /// chain) is left to the full comparison.
    /// </summary>
    public static bool ShowsWantedState(OwnedState desired, string natTableText, IReadOnlyList<LiveAddress> addresses)
    {
        var snat = new List<string>(desired.SnatRules.Count);
        var masquerade = new List<string>(desired.MasqueradeRules.Count);
        var postrouting = new List<string>();
        bool snatDeclared = false, masqueradeDeclared = false, inNat = false;
        foreach (var raw in natTableText.AsSpan().EnumerateLines())
        {
            var line = raw.TrimEnd();
            if (line.StartsWith("*")) { inNat = line.SequenceEqual("*nat"); continue; }
            if (!inNat) continue;
            if (line.StartsWith(":" + OwnedChains.Snat + " ")) snatDeclared = true;
            else if (line.StartsWith(":" + OwnedChains.Masquerade + " ")) masqueradeDeclared = true;
            else if (line.StartsWith("-A " + OwnedChains.Snat + " ")) snat.Add(line.ToString());
            else if (line.StartsWith("-A " + OwnedChains.Masquerade + " ")) masquerade.Add(line.ToString());
            else if (line.StartsWith("-A " + OwnedChains.Postrouting + " ")) postrouting.Add(line.ToString());
        }
        if (snatDeclared != desired.ChainsExist || masqueradeDeclared != desired.ChainsExist) return false;
        if (!snat.SequenceEqual(desired.SnatRules.Select(r => r.SaveLine), StringComparer.Ordinal)) return false;
        if (!masquerade.SequenceEqual(desired.MasqueradeRules.Select(r => r.SaveLine), StringComparer.Ordinal)) return false;
        var jumps = postrouting.Select((line, index) => (Position: index + 1, Line: line))
            .Where(l => l.Line.Contains(" -j " + OwnedChains.Snat, StringComparison.Ordinal))
            .ToArray();
        if (!jumps.SequenceEqual(desired.Jumps.Select(j => (j.Position, j.Rule.SaveLine)))) return false;
        if (desired.Retired.Any(r => r.Chain == OwnedChains.Postrouting && postrouting.Contains(r.SaveLine, StringComparer.Ordinal))) return false;
        if (desired.Reinstated.Count > 0) return false; // rare (only an undo); the full comparison checks they are back
        var present = addresses.Select(a => a.Bound).ToHashSet();
        var wanted = desired.Addresses.ToHashSet();
        return desired.Addresses.All(present.Contains) && addresses.Where(a => a.IsOwned).All(a => wanted.Contains(a.Bound));
    }

    /// <summary>The taken-over hand-written rules that are still in the kernel, with the chain they are in.</summary>
    private static IReadOnlyList<NatRule> RetiredPresent(OwnedState desired, KernelState live) =>
        desired.Retired.Where(rule => live.Table.RulesOf(rule.Chain).Contains(rule)).ToArray();

    /// <summary>The line diff of the ruleset view, from what the kernel holds to what is wanted.</summary>
    internal static IReadOnlyList<DiffLine> LineDiff(IptablesChange preview) =>
        TextDiff.Lines(RenderView(preview.Live.Owned, preview.Live), RenderView(preview.Desired, preview.Live, preview.RetiredPresent, preview.ReinstateMissing));

    /// <summary>
    /// How many lines of the ruleset view the diff adds and removes, counted from the states (rules are unique within
    /// their chain), so the badge and the history need not run the line diff. Agrees with the line diff: a moved jump
    /// is one line removed and one added, and section headers come and go with their sections.
    /// </summary>
    internal static (int Added, int Removed) CountChanges(IptablesChange preview)
    {
        var (live, desired) = (preview.Live.Owned, preview.Desired);
        var liveRules = live.AllRules.ToHashSet();
        var desiredRules = desired.AllRules.ToHashSet();
        var liveAddresses = live.Addresses.ToHashSet();
        var desiredAddresses = desired.Addresses.ToHashSet();
        var jumpsMove = !live.Jumps.SequenceEqual(desired.Jumps);
        int Headers(OwnedState state) => (state.ChainsExist ? 2 : 0) + (state.Addresses.Count > 0 ? 1 : 0);
        var headerDelta = Headers(desired) - Headers(live);
        var added = desiredRules.Count(r => !liveRules.Contains(r)) + desiredAddresses.Count(a => !liveAddresses.Contains(a))
            + (jumpsMove ? desired.Jumps.Count : 0) + Math.Max(0, headerDelta);
        var removed = liveRules.Count(r => !desiredRules.Contains(r)) + liveAddresses.Count(a => !desiredAddresses.Contains(a))
            + (jumpsMove ? live.Jumps.Count : 0) + preview.RetiredPresent.Count + Math.Max(0, -headerDelta);
        added += preview.ReinstateMissing.Count;
        return (added, removed);
    }

    /// <summary>
    /// A flow must lose its conntrack entry whenever the address it should leave from changes: a new mapping
    /// (it was masqueraded until now), a changed one, or a removed one. Otherwise an ESP flow, refreshed by every
    /// packet, keeps its old source for as long as the tunnel lives.
    /// </summary>
    internal static FlowKey[] FlowsToReset(OwnedState before, OwnedState after, IReadOnlyList<NatRule> retiredPresent)
    {
        // A hand-written rule being replaced counts as the flow's old mapping: if ours says the same, nothing moves.
        var retired = retiredPresent.Select(r => SnatRuleMeaning.TryParse(r, out var m) ? m : null).OfType<FoundMapping>();
        var old = retired.Concat(before.Mappings).GroupBy(m => m.Flow).ToDictionary(g => g.Key, g => g.First().ToSource);
        var @new = after.Mappings.GroupBy(m => m.Flow).ToDictionary(g => g.Key, g => g.First().ToSource);
        return old.Keys.Union(@new.Keys)
            .Where(flow => !Equals(old.GetValueOrDefault(flow), @new.GetValueOrDefault(flow)))
            .Select(flow => new FlowKey(flow.Source, flow.Destination))
            .ToArray();
    }

    /// <summary>
    /// The ruleset as an administrator reads it: POSTROUTING in order (the jump, then whatever else is there, which is
    /// shown for context and never changed), the owned chains, and the bound addresses.
    /// </summary>
    public static string RenderView(OwnedState owned, KernelState live, IReadOnlyList<NatRule>? hidden = null, IReadOnlyList<Jump>? reinstated = null)
    {
        var text = new StringBuilder();
        text.Append("# nat POSTROUTING\n");
        // Rules with a fixed place (our jump, and rules an undo puts back) are shown there; the rest fill in around them.
        var jumps = owned.Jumps.Concat(reinstated ?? []).GroupBy(j => j.Position).ToDictionary(g => g.Key, g => g.First());
        var foreign = live.ForeignPostrouting.Where(rule => hidden is null || !hidden.Contains(rule)).ToList();
        var position = 1;
        var foreignIndex = 0;
        while (foreignIndex < foreign.Count || jumps.Keys.Any(p => p >= position))
        {
            if (jumps.TryGetValue(position, out var jump)) text.Append(jump.Rule.SaveLine).Append('\n');
            else if (foreignIndex < foreign.Count) text.Append(foreign[foreignIndex++].SaveLine).Append('\n');
            position++;
        }
        if (owned.ChainsExist)
        {
            text.Append("# chain ").Append(OwnedChains.Snat).Append('\n');
            foreach (var rule in owned.SnatRules) text.Append(rule.SaveLine).Append('\n');
            text.Append("# chain ").Append(OwnedChains.Masquerade).Append('\n');
            foreach (var rule in owned.MasqueradeRules) text.Append(rule.SaveLine).Append('\n');
        }
        if (owned.Addresses.Count > 0)
        {
            text.Append("# addresses bound by RouterAdmin\n");
            foreach (var address in owned.Addresses) text.Append("ip addr ").Append(address).Append('\n');
        }
        return text.ToString();
    }
}
