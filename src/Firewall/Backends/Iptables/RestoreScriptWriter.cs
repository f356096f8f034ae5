using System.Text;
using RouterAdmin.Firewall.Model;

namespace RouterAdmin.Firewall.Backends.Iptables;

/// <summary>
/// Writes the one iptables-restore --noflush transaction that turns the live owned state into the wanted one.
/// With --noflush only what the script names changes. A small change to a chain that is otherwise as wanted deletes
/// the rules that go (by their exact text) and inserts the new ones at their places; anything else declares the owned
/// chains, which empties them, and adds every rule back. The jump is moved to position 1 only when it is not there. A
/// rule someone else wrote is never named, except a stray jump to our chain and a hand-written rule the inventory has
/// taken over; both are deleted by their exact text. Deleting by text means a table that changed meanwhile makes the
/// whole transaction fail rather than delete the wrong rule.
/// </summary>
public static class RestoreScriptWriter
{
    public static string Write(OwnedState desired, OwnedState live, IReadOnlyList<NatRule>? retiredPresent = null, IReadOnlyList<Jump>? reinstate = null)
    {
        var script = new StringBuilder("*nat\n");
        var chains = new[] { (OwnedChains.Snat, desired.SnatRules, live.SnatRules), (OwnedChains.Masquerade, desired.MasqueradeRules, live.MasqueradeRules) };
        var edits = desired.ChainsExist && live.ChainsExist
            ? chains.Select(c => Edit(c.Item2, c.Item3)).ToArray()
            : null;
        if (edits is null || edits.Any(e => e is null))
        {
            // Declaring the chains creates or empties them; when they are to go away they must be empty to be deleted.
            script.Append(':').Append(OwnedChains.Snat).Append(" - [0:0]\n");
            script.Append(':').Append(OwnedChains.Masquerade).Append(" - [0:0]\n");
            edits = null;
        }
        foreach (var rule in retiredPresent ?? [])
            AppendCommand(script, "-D", rule);
        if (edits is not null)
        {
            foreach (var edit in edits)
            {
                foreach (var rule in edit!.Removed) AppendCommand(script, "-D", rule);
                foreach (var (position, rule) in edit.Inserted) AppendCommand(script, "-I", rule, position);
            }
        }
        else if (desired.ChainsExist)
        {
            foreach (var rule in desired.SnatRules.Concat(desired.MasqueradeRules))
                AppendCommand(script, "-A", rule);
        }
        var jumpsMove = !live.Jumps.SequenceEqual(desired.Jumps);
        if (jumpsMove)
            foreach (var jump in live.Jumps) AppendCommand(script, "-D", jump.Rule);
        // Inserting at the planned places in ascending order rebuilds POSTROUTING as it was, whatever else is in it.
        foreach (var placed in (jumpsMove ? desired.Jumps : []).Concat(reinstate ?? []).OrderBy(j => j.Position))
            AppendCommand(script, "-I", placed.Rule, placed.Position);
        if (!desired.ChainsExist)
        {
            script.Append("-X ").Append(OwnedChains.Snat).Append('\n');
            script.Append("-X ").Append(OwnedChains.Masquerade).Append('\n');
        }
        return script.Append("COMMIT\n").ToString();
    }

    private sealed record ChainEdit(IReadOnlyList<NatRule> Removed, IReadOnlyList<(int Position, NatRule Rule)> Inserted);

    /// <summary>
    /// The deletes and positioned inserts that turn <paramref name="live"/> into <paramref name="wanted"/>, or null when
    /// rewriting the chain is simpler: a large change (the whole chain is then cheaper to send than to edit), duplicate
    /// rules (a delete by text would pick one at random), or kept rules in another order.
    /// </summary>
    private static ChainEdit? Edit(IReadOnlyList<NatRule> wanted, IReadOnlyList<NatRule> live)
    {
        var wantedSet = wanted.ToHashSet();
        var liveSet = live.ToHashSet();
        if (wantedSet.Count != wanted.Count || liveSet.Count != live.Count) return null;
        var removed = live.Where(r => !wantedSet.Contains(r)).ToArray();
        var inserted = wanted.Select((rule, index) => (Position: index + 1, Rule: rule)).Where(x => !liveSet.Contains(x.Rule)).ToArray();
        if (removed.Length + inserted.Length > Math.Max(16, wanted.Count / 10)) return null;
        // After the deletes, the kept rules must already stand in the wanted order; inserting in ascending position then
        // puts every new rule exactly where the plan has it.
        if (!live.Where(wantedSet.Contains).SequenceEqual(wanted.Where(liveSet.Contains))) return null;
        return new ChainEdit(removed, inserted);
    }

    private static void AppendCommand(StringBuilder script, string command, NatRule rule, int? position = null)
    {
        if (!IptablesSyntax.IsSafeWord(rule.Chain) || !rule.Arguments.All(IptablesSyntax.IsSafeWord))
            throw new InvalidOperationException($"Refusing to write a rule containing a control character: {rule.SaveLine}");
        script.Append(command).Append(' ').Append(rule.Chain);
        if (position is not null) script.Append(' ').Append(position.Value);
        script.Append(' ').Append(rule.Spec).Append('\n');
    }
}
