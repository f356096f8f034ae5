using RouterAdmin.Domain;
using RouterAdmin.Firewall.Model;
using RouterAdmin.Firewall.Planning;

namespace RouterAdmin.Firewall.Backends.Nftables;

/// <summary>
/// The nftables backend: the plan as one owned table (<c>table ip routeradmin</c>) with a nat chain at
/// <c>srcnat - 10</c>, one map rule and the managed masquerade; read with <c>nft -j</c>, changed with one
/// <c>nft -f</c> transaction; addresses and conntrack through the host's tools like every real backend.
/// </summary>
public sealed class NftablesBackend(NftTools nft, HostTools host, NftGeneration generations, Microsoft.Extensions.Options.IOptions<FirewallOptions> options)
    : HostNetworkForwarder(host), IFirewallBackend
{
    private readonly NftKnownState _known = new();

    public string Name => "nftables";
    public bool TouchesKernel => true;
    public string? Namespace => string.IsNullOrEmpty(options.Value.Namespace) ? null : options.Value.Namespace;
    public string TransactionTool => "nft -f";

    // The counters come only with a listing: a caller that shows them gets one; the others may get the known state.
    public async Task<ILiveFirewall> ReadAsync(CancellationToken cancellationToken, bool withCounters = false) =>
        await ReadLiveAsync(cancellationToken, reuseKnown: !withCounters);

    /// <summary>
    /// The whole ruleset: the owned table, and the other tables' hand-written rules to import. With
    /// <paramref name="reuseKnown"/>, the state known at the kernel's current generation (nothing committed since it
    /// was listed or since this backend's own transaction) instead of listing 10,000 elements again; the addresses,
    /// which no generation counts, are always read.
    /// </summary>
    public async Task<NftLiveState> ReadLiveAsync(CancellationToken cancellationToken, bool reuseKnown = false)
    {
        var addresses = host.ReadAddressesAsync(cancellationToken);
        var generation = await generations.ReadAsync();
        if (reuseKnown && _known.At(generation) is { } known)
        {
            var found = await addresses;
            var bound = OwnedAddresses(found);
            if (known.LastRead is { } last && last.Generation == generation && last.Addresses.SequenceEqual(found)) return last;
            // The same object when nothing moved, so its stored form (written for the last revision) is not written again.
            var owned = bound.SequenceEqual(known.Owned.Addresses) ? known.Owned : known.Owned with { Addresses = bound };
            return known.LastRead = new NftLiveState(owned, found, known.Text, []) { Foreign = known.Foreign, Generation = generation };
        }
        var ruleset = await nft.ListRulesetJsonAsync(cancellationToken);
        // Only a listing the generation brackets is one consistent state: a commit in between may show half of it.
        var listed = await generations.ReadAsync();
        var live = BuildFromRuleset(ruleset, await addresses) with { Generation = listed == generation ? generation : null };
        if (live.Generation is not { } at)
        {
            _known.Forget();
            return live;
        }
        var remembered = _known.RememberListed(new NftKnownState.Known(at, live.Owned, live.Foreign, live.TableText, null));
        // A read without counters is handed out again while it holds; one with counters is for that caller alone.
        if (reuseKnown && ReferenceEquals(remembered.Owned, live.Owned)) remembered.LastRead = live;
        return live;
    }

    /// <summary>
    /// For the iptables backend, asking whether nftables left its table behind: the owned table is enough, and
    /// iptables-nft's own 10,000 rules in the ruleset are not listed for nothing.
    /// </summary>
    public async Task<ILiveFirewall> ReadAsPreviousOwnerAsync(CancellationToken cancellationToken)
    {
        var addresses = host.ReadAddressesAsync(cancellationToken);
        var generation = await generations.ReadAsync();
        // Handed out again while nothing was committed and the addresses stand, like the owner's reads.
        if (_readAsPrevious is { } last && last.Generation == generation && last.Addresses.SequenceEqual(await addresses)) return last;
        var json = await nft.ListTableJsonAsync(cancellationToken);
        var listed = await generations.ReadAsync();
        var live = Build(json, await addresses) with { Generation = listed == generation ? generation : null };
        _readAsPrevious = live.Generation is null ? null : live;
        return live;
    }

    private volatile NftLiveState? _readAsPrevious;

    public IOwnedFirewall RenderAbsent(FirewallPlan plan) =>
        NftOwnedState.Nothing with { Addresses = plan.Addresses, Retired = plan.TakenOver.Where(NftForeignRule.IsText).ToArray() };

    public bool IsStoredState(string json) => NftOwnedState.IsStored(json);

    public NftLiveState Build(string? json, IReadOnlyList<LiveAddress> addresses)
    {
        var read = NftJsonReader.Parse(json, OwnedAddresses(addresses));
        return new NftLiveState(read.Owned, addresses, TextOf(read.Owned), read.Counters);
    }

    public NftLiveState BuildFromRuleset(string json, IReadOnlyList<LiveAddress> addresses)
    {
        var (read, foreign) = NftJsonReader.ParseRuleset(json, nft.Table, OwnedAddresses(addresses));
        return new NftLiveState(read.Owned, addresses, TextOf(read.Owned), read.Counters) { Foreign = foreign };
    }

    /// <summary>The owned table's text, written only when someone reads it.</summary>
    private Lazy<string> TextOf(NftOwnedState owned) => new(() => NftSyntax.Table(nft.Table, owned));

    private static BoundAddress[] OwnedAddresses(IReadOnlyList<LiveAddress> addresses) =>
        addresses.Where(a => a.IsOwned).Select(a => a.Bound)
            .OrderBy(a => a.Interface, StringComparer.Ordinal).ThenBy(a => Ipv4.ToUInt32(a.Address)).ToArray();

    // Hand-written rules taken over at import (plan.TakenOver) in nft's words are deleted by this backend; iptables-save lines are the iptables backend's.
    public IOwnedFirewall Render(FirewallPlan plan) => NftRules.Render(plan);

    public IOwnedFirewall Load(string json) => NftOwnedState.FromJson(json);

    /// <summary>The owned table is the whole of what this backend compares, so the snapshot's state is enough.</summary>
    public ILiveFirewall Reconstruct(string text, IOwnedFirewall owned)
    {
        var state = (NftOwnedState)owned;
        return new NftLiveState(state, state.Addresses.Select(a => new LiveAddress(a, a.OwnedLabel)).ToArray(), text, []);
    }

    public IBackendChange Compare(IOwnedFirewall desired, ILiveFirewall live) =>
        NftDiffer.Compare(nft.Table, (NftOwnedState)desired, (NftLiveState)live);

    public async Task CommitAsync(IBackendChange change, CancellationToken cancellationToken)
    {
        _known.Forget();
        await nft.RunAsync(change.Transaction, cancellationToken);
        var committed = (NftChange)change;
        // One commit since the read the transaction was worked out from, and ours went through: it was ours, and the
        // ruleset is that read with the whole file applied. Hand-written rules in other tables get new handles when
        // put back, so a change that touches them is listed again.
        if (committed.Live.Generation is { } read && await generations.ReadAsync() is { } now && now.Follows(read)
            && committed.RetiredPresent.Count == 0 && committed.ReinstateMissing.Count == 0)
        {
            var desired = committed.Desired;
            var holds = desired.Retired.Count == 0 && desired.Reinstated.Count == 0 ? desired : desired with { Retired = [], Reinstated = [] };
            _known.Remember(new NftKnownState.Known(now, holds, committed.Live.Foreign, TextOf(holds), committed.Desired));
        }
    }

    /// <summary>
    /// When the kernel is still at the generation this backend's own transaction for <paramref name="desired"/> left
    /// it at, the table holds that transaction's result and nothing else touched the ruleset since the read it was
    /// worked out from; then only the addresses are read back. Otherwise the whole ruleset is listed and compared.
    /// </summary>
    public async Task VerifyAsync(IOwnedFirewall desired, CancellationToken cancellationToken)
    {
        var wanted = (NftOwnedState)desired;
        var addresses = host.ReadAddressesAsync(cancellationToken);
        if (_known.At(await generations.ReadAsync()) is { PredictedFrom: { } predicted } known && ReferenceEquals(predicted, desired))
        {
            var found = await addresses;
            if (OwnedAddresses(found).ToHashSet().SetEquals(wanted.Addresses)) return;
            var check = Compare(desired, new NftLiveState(known.Owned with { Addresses = OwnedAddresses(found) }, found, known.Text, []) { Foreign = known.Foreign });
            if (!check.InSync) throw new VerificationException(check);
            return;
        }
        var live = await ReadLiveAsync(cancellationToken);
        var full = Compare(desired, live);
        if (!full.InSync) throw new VerificationException(full);
    }

    public string DescribeCommit() => nft.DescribeRun();

}
