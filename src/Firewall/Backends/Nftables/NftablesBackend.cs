using RouterAdmin.Domain;
using RouterAdmin.Firewall.Model;
using RouterAdmin.Firewall.Planning;

namespace RouterAdmin.Firewall.Backends.Nftables;

/// <summary>
/// The nftables backend: the plan as one owned table (<c>table ip routeradmin</c>) with a nat chain at
/// <c>srcnat - 10</c>, one map rule and the managed masquerade; read with <c>nft -j</c>, changed with one
/// <c>nft -f</c> transaction; addresses and conntrack through the host's tools like every real backend.
/// </summary>
public sealed class NftablesBackend(NftTools nft, HostTools host, Microsoft.Extensions.Options.IOptions<FirewallOptions> options) : HostNetworkForwarder(host), IFirewallBackend
{
    public string Name => "nftables";
    public bool TouchesKernel => true;
    public string? Namespace => string.IsNullOrEmpty(options.Value.Namespace) ? null : options.Value.Namespace;
    public string TransactionTool => "nft -f";

    // The counters come with the one JSON read at no extra cost, so they are always there.
    public async Task<ILiveFirewall> ReadAsync(CancellationToken cancellationToken, bool withCounters = false) => await ReadLiveAsync(cancellationToken);

    /// <summary>The whole ruleset: the owned table, and the other tables' hand-written rules to import.</summary>
    public async Task<NftLiveState> ReadLiveAsync(CancellationToken cancellationToken)
    {
        var ruleset = nft.ListRulesetJsonAsync(cancellationToken);
        var addresses = host.ReadAddressesAsync(cancellationToken);
        return BuildFromRuleset(await ruleset, await addresses);
    }

    /// <summary>
    /// For the iptables backend, asking whether nftables left its table behind: the owned table is enough, and
    /// iptables-nft's own 10,000 rules in the ruleset are not listed for nothing.
    /// </summary>
    public async Task<ILiveFirewall> ReadAsPreviousOwnerAsync(CancellationToken cancellationToken)
    {
        var json = nft.ListTableJsonAsync(cancellationToken);
        var addresses = host.ReadAddressesAsync(cancellationToken);
        return Build(await json, await addresses);
    }

    public IOwnedFirewall RenderAbsent(FirewallPlan plan) =>
        NftOwnedState.Nothing with { Addresses = plan.Addresses, Retired = plan.TakenOver.Where(NftForeignRule.IsText).ToArray() };

    public bool IsStoredState(string json) => NftOwnedState.IsStored(json);

    public NftLiveState Build(string? json, IReadOnlyList<LiveAddress> addresses)
    {
        var read = NftJsonReader.Parse(json, OwnedAddresses(addresses));
        return new NftLiveState(read.Owned, addresses, NftSyntax.Table(nft.Table, read.Owned), read.Counters);
    }

    public NftLiveState BuildFromRuleset(string json, IReadOnlyList<LiveAddress> addresses)
    {
        var (read, foreign) = NftJsonReader.ParseRuleset(json, nft.Table, OwnedAddresses(addresses));
        return new NftLiveState(read.Owned, addresses, NftSyntax.Table(nft.Table, read.Owned), read.Counters) { Foreign = foreign };
    }

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

    public Task CommitAsync(IBackendChange change, CancellationToken cancellationToken) => nft.RunAsync(change.Transaction, cancellationToken);

    public async Task VerifyAsync(IOwnedFirewall desired, CancellationToken cancellationToken)
    {
        var check = Compare(desired, await ReadLiveAsync(cancellationToken));
        if (!check.InSync) throw new VerificationException(check);
    }

    public string DescribeCommit() => nft.DescribeRun();

}
