using RouterAdmin.Firewall.Planning;

namespace RouterAdmin.Firewall.Backends.Watch;

/// <summary>
/// The configured backend with the VPN watch (see Detection) kept beside its rules as part of RouterAdmin's state:
/// rendered from the plan, read back, diffed in the preview, applied first in the same run, verified, undone with
/// the rest, stored with every revision and seen as drift when someone removes it. With the watch off and no watch
/// table on the router, every answer is the backend's own, unchanged, and the table is not read at all: once a read has
/// found it absent and the plan wants none, it is read again only after the next commit (so a leftover table is still
/// found at start and after each apply, and a watch that is wanted is read every time, for drift).
/// </summary>
public sealed class WatchingBackend(IFirewallBackend inner, IVpnWatchTable table) : HostNetworkForwarder(inner), IFirewallBackend
{
    public IFirewallBackend Inner => inner;
    public string Name => inner.Name;
    public bool TouchesKernel => inner.TouchesKernel;
    public string? Namespace => inner.Namespace;
    public string TransactionTool => inner.TransactionTool;

    private volatile bool _knownAbsent;
    private volatile bool _wanted;
    private int _commits;

    public async Task<ILiveFirewall> ReadAsync(CancellationToken cancellationToken, bool withCounters = false)
    {
        if (_knownAbsent && !_wanted) return await inner.ReadAsync(cancellationToken, withCounters);
        var rules = inner.ReadAsync(cancellationToken, withCounters);
        var found = await ReadTableAsync(cancellationToken);
        if (found.IsAbsent) return await rules;
        var read = await rules;
        // The rules' read and the table as they were last time: the same read as last time.
        if (!withCounters && _lastRead is { } last && ReferenceEquals(last.Inner, read) && last.Watch == found) return last;
        var live = Live(read, found);
        if (!withCounters) _lastRead = live;
        return live;
    }

    private volatile WatchedLive? _lastRead;

    /// <summary>Reads the table and remembers whether it was absent, unless a commit ran meanwhile (its result is newer).</summary>
    private async Task<WatchTableState> ReadTableAsync(CancellationToken cancellationToken)
    {
        var commits = Volatile.Read(ref _commits);
        var found = await table.ReadStateAsync(cancellationToken);
        if (commits == Volatile.Read(ref _commits)) _knownAbsent = found.IsAbsent;
        return found;
    }

    public Task<ILiveFirewall> ReadAsPreviousOwnerAsync(CancellationToken cancellationToken) => inner.ReadAsPreviousOwnerAsync(cancellationToken);

    public IOwnedFirewall Render(FirewallPlan plan)
    {
        _wanted = plan.WatchedLan is not null;
        return WatchedOwned.With(inner.Render(plan), plan.WatchedLan);
    }

    public IOwnedFirewall RenderAbsent(FirewallPlan plan) => inner.RenderAbsent(plan);

    public bool IsStoredState(string json) => inner.IsStoredState(WatchedOwned.Split(json).InnerJson);

    public IOwnedFirewall Load(string json)
    {
        var (innerJson, watch) = WatchedOwned.Split(json);
        return WatchedOwned.With(inner.Load(innerJson), watch);
    }

    public ILiveFirewall Reconstruct(string text, IOwnedFirewall owned)
    {
        var (innerOwned, watch) = WatchedOwned.Unwrap(owned);
        var at = text.IndexOf(WatchedLive.TextMarker, StringComparison.Ordinal);
        var rules = inner.Reconstruct(at >= 0 ? text[..at] : text, innerOwned);
        return watch is null ? rules : Live(rules, new WatchTableState(watch));
    }

    public IBackendChange Compare(IOwnedFirewall desired, ILiveFirewall live)
    {
        var (innerDesired, wanted) = WatchedOwned.Unwrap(desired);
        var (innerLive, found) = WatchedLive.Unwrap(live);
        var change = inner.Compare(innerDesired, innerLive);
        return wanted is null && found.IsAbsent ? change : new WatchedChange(change, wanted, Live(innerLive, found), table);
    }

    public async Task CommitAsync(IBackendChange change, CancellationToken cancellationToken)
    {
        try
        {
            if (change is not WatchedChange watched)
            {
                await inner.CommitAsync(change, cancellationToken);
                return;
            }
            // The watch first: it translates nothing, so if the rules' transaction then fails, putting the watch back
            // (with the rest of the snapshot) is all there is to undo.
            if (watched.WatchChanges) await table.ApplyAsync(watched.WantedWatch, cancellationToken);
            if (watched.Inner.RulesChange) await inner.CommitAsync(watched.Inner, cancellationToken);
        }
        finally
        {
            // Whatever happened, the next read looks again (an apply is also when a leftover table is found).
            Interlocked.Increment(ref _commits);
            _knownAbsent = false;
        }
    }

    public async Task VerifyAsync(IOwnedFirewall desired, CancellationToken cancellationToken)
    {
        var (innerDesired, wanted) = WatchedOwned.Unwrap(desired);
        var found = await ReadTableAsync(cancellationToken);
        if (!found.Holds(wanted))
        {
            var rules = await inner.ReadAsync(cancellationToken);
            throw new VerificationException(new WatchedChange(inner.Compare(innerDesired, rules), wanted, Live(rules, found), table));
        }
        await inner.VerifyAsync(innerDesired, cancellationToken);
    }

    public string DescribeCommit() => inner.DescribeCommit();

    public IReadOnlyList<string> DescribeCommit(IBackendChange change)
    {
        if (change is not WatchedChange watched) return inner.DescribeCommit(change);
        var commands = new List<string>();
        if (watched.WatchChanges) commands.Add($"{table.DescribeApply()}   # VPN watch: {(watched.WantedWatch is { } lan ? $"count unconfirmed ESP from {lan}" : "removed")}");
        if (watched.Inner.RulesChange) commands.AddRange(inner.DescribeCommit(watched.Inner));
        return commands;
    }

    private WatchedLive Live(ILiveFirewall rules, WatchTableState watch) => new(rules, watch, table.Lines(watch));
}
