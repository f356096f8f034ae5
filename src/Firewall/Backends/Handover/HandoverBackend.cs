using RouterAdmin.Firewall.Planning;

namespace RouterAdmin.Firewall.Backends.Handover;

/// <summary>
/// The configured backend, aware of the other one. The backend is chosen by configuration, so switching it means a
/// restart with the other value while the old backend's state is still on the router. This reads both, shows the old
/// state as a pending switch (not drift), and lets the next apply install the owner, verify it, and only then have the
/// previous owner remove its own state, in its own syntax; the revision keeps both sides, so an undo puts the old
/// state back first. It also carries the hand-written rules only the other backend can read (iptables-nft's rules,
/// whose targets nft -j does not show) into import. When nothing of the other backend is on the router, every answer
/// is the owner's own, unchanged.
/// </summary>
public sealed class HandoverBackend(HandoverSides sides, ILogger<HandoverBackend> logger) : HostNetworkForwarder(sides.Owner), IFirewallBackend
{
    private IFirewallBackend Owner => sides.Owner;
    private IFirewallBackend Previous => sides.Previous;

    public HandoverSides Sides => sides;
    public string Name => Owner.Name;
    public bool TouchesKernel => Owner.TouchesKernel;
    public string? Namespace => Owner.Namespace;
    public string TransactionTool => Owner.TransactionTool;

    private volatile HandoverLive? _lastRead;

    public async Task<ILiveFirewall> ReadAsync(CancellationToken cancellationToken, bool withCounters = false)
    {
        var owner = Owner.ReadAsync(cancellationToken, withCounters);
        var previous = ReadPreviousAsync(cancellationToken);
        var (ownerLive, previousLive) = (await owner, await previous);
        // Both sides handed out the reads they gave last time (nothing changed): so is this one.
        if (!withCounters && _lastRead is { } last && ReferenceEquals(last.OwnerLive, ownerLive) && ReferenceEquals(last.PreviousLive, previousLive)) return last;
        var live = Live(ownerLive, previousLive);
        if (!withCounters) _lastRead = live;
        return live;
    }

    public Task<ILiveFirewall> ReadAsPreviousOwnerAsync(CancellationToken cancellationToken) => Owner.ReadAsPreviousOwnerAsync(cancellationToken);

    public IOwnedFirewall Render(FirewallPlan plan) => Owner.Render(plan);

    public IOwnedFirewall RenderAbsent(FirewallPlan plan) => Owner.RenderAbsent(plan);

    public bool IsStoredState(string json) => HandoverOwned.Load(json, sides) is not null;

    public IOwnedFirewall Load(string json) => HandoverOwned.Load(json, sides) ?? Owner.Load(json);

    public ILiveFirewall Reconstruct(string text, IOwnedFirewall owned)
    {
        if (owned is not HandoverOwned both) return new HandoverLive(Owner.Reconstruct(text, owned), null, false, sides);
        var at = text.IndexOf(HandoverLive.TextMarker, StringComparison.Ordinal);
        var (ownerText, previousText) = at >= 0 ? (text[..at], text[(at + HandoverLive.TextMarker.Length)..])
            : both.StoredBy == sides.PreviousKind ? ("", text) : (text, "");
        return new HandoverLive(Owner.Reconstruct(ownerText, both.Owner), Previous.Reconstruct(previousText, both.Previous), both.PreviousHolds, sides);
    }

    public IBackendChange Compare(IOwnedFirewall desired, ILiveFirewall live)
    {
        var read = live as HandoverLive ?? new HandoverLive(live, null, false, sides);
        var (ownerDesired, previousDesired) = desired is HandoverOwned both
            ? (both.Owner, both.Previous)
            : (desired, Previous.RenderAbsent(desired.ToPlan()));
        var owner = Owner.Compare(ownerDesired, read.OwnerLive);
        if (read.PreviousLive is null) return owner;
        var previous = Previous.Compare(previousDesired, read.PreviousLive);
        if (!previous.RulesChange && !read.PreviousHolds && desired is not HandoverOwned) return owner;
        // The side that stops translating a flow goes last: the other side's rule for it (its chains, or hand-written
        // rules it puts back) is in place and verified by then. A switch installs the owner first; its undo removes it last.
        var ownerKeeps = ownerDesired.ToPlan().Mappings.Select(m => m.Flow).ToHashSet();
        var previousFirst = read.OwnerLive.Owned.ToPlan().Mappings.Any(m => !ownerKeeps.Contains(m.Flow));
        var wanted = previousDesired.ToPlan();
        var previousHolds = wanted.Mappings.Count > 0 || wanted.Masquerade is not null;
        return new HandoverChange(owner, previous, new HandoverOwned(ownerDesired, previousDesired, previousHolds, sides), read, previousFirst, sides);
    }

    public async Task CommitAsync(IBackendChange change, CancellationToken cancellationToken)
    {
        if (change is not HandoverChange both)
        {
            await Owner.CommitAsync(change, cancellationToken);
            return;
        }
        var desired = (HandoverOwned)both.Desired;
        var (first, firstChange, firstDesired) = both.PreviousFirst
            ? (Previous, both.PreviousChange, desired.Previous)
            : (Owner, both.OwnerChange, desired.Owner);
        var (second, secondChange) = both.PreviousFirst ? (Owner, both.OwnerChange) : (Previous, both.PreviousChange);
        if (firstChange.RulesChange)
        {
            await first.CommitAsync(firstChange, cancellationToken);
            // Only once the side that takes over is verified does the other side's state go.
            await VerifyRulesAsync(first, firstDesired, cancellationToken);
        }
        if (secondChange.RulesChange) await second.CommitAsync(secondChange, cancellationToken);
    }

    public async Task VerifyAsync(IOwnedFirewall desired, CancellationToken cancellationToken)
    {
        if (desired is not HandoverOwned both)
        {
            await Owner.VerifyAsync(desired, cancellationToken);
            return;
        }
        await Owner.VerifyAsync(both.Owner, cancellationToken);
        await VerifyRulesAsync(Previous, both.Previous, cancellationToken);
    }

    public string DescribeCommit() => Owner.DescribeCommit();

    public IReadOnlyList<string> DescribeCommit(IBackendChange change)
    {
        if (change is not HandoverChange both) return Owner.DescribeCommit(change);
        var owner = $"{Owner.DescribeCommit()}   # {sides.OwnerArtefact}";
        var previous = $"{Previous.DescribeCommit()}   # {both.PreviousNote}";
        var (first, second) = both.PreviousFirst ? (previous, owner) : (owner, previous);
        var (firstChanges, secondChanges) = both.PreviousFirst
            ? (both.PreviousChange.RulesChange, both.OwnerChange.RulesChange)
            : (both.OwnerChange.RulesChange, both.PreviousChange.RulesChange);
        var commands = new List<string>();
        if (firstChanges) commands.AddRange([first, "read back and verify " + (both.PreviousFirst ? $"the {sides.Note.Backend} backend's rules" : sides.OwnerArtefact)]);
        if (secondChanges) commands.Add(second);
        return commands;
    }

    /// <summary>A side's rules, read back, are what it was told to hold (its addresses are the owner's to check).</summary>
    private async Task VerifyRulesAsync(IFirewallBackend backend, IOwnedFirewall desired, CancellationToken cancellationToken)
    {
        var live = backend == Owner ? await Owner.ReadAsync(cancellationToken) : await Previous.ReadAsPreviousOwnerAsync(cancellationToken);
        var check = backend.Compare(desired, live);
        if (check.RulesChange) throw new VerificationException(check);
    }

    private async Task<ILiveFirewall?> ReadPreviousAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await Previous.ReadAsPreviousOwnerAsync(cancellationToken);
        }
        catch (FirewallCommandException e)
        {
            // No nft on a legacy-iptables router, no iptables on an nft-only one: then that backend has left nothing.
            logger.LogDebug("The {Backend} backend's state could not be read: {Error}", HandoverSides.Word(sides.PreviousKind), e.Message);
            return null;
        }
    }

    private HandoverLive Live(ILiveFirewall owner, ILiveFirewall? previous) =>
        new(owner, previous, previous is not null && Previous.Compare(Previous.RenderAbsent(FirewallPlan.Nothing), previous).RulesChange, sides);
}
