using RouterAdmin.Firewall.Model;
using RouterAdmin.Firewall.Backends.Nftables;
using RouterAdmin.Firewall.Planning;

namespace RouterAdmin.Firewall.Backends.Iptables;

/// <summary>
/// The iptables backend: the plan rendered as an owned chain and a jump at position 1 of POSTROUTING, read back with
/// iptables-save, changed with one iptables-restore --noflush transaction, on the real tools or the simulated router.
/// </summary>
public sealed class IptablesBackend(IIptablesHost host) : HostNetworkForwarder(host), IFirewallBackend
{
    public string Name => host.Name;
    public bool TouchesKernel => host.TouchesKernel;
    public string? Namespace => host.Namespace;
    public string TransactionTool => "iptables-restore";

    public async Task<ILiveFirewall> ReadAsync(CancellationToken cancellationToken, bool withCounters = false) =>
        await ReadKernelAsync(cancellationToken, withCounters);

    /// <summary>A read taken at one nf_tables generation: while the generation and the addresses stand, it is still the router.</summary>
    private sealed record Known(NftGeneration.Reading Generation, KernelState State);

    private volatile Known? _known;

    /// <summary>
    /// One read of the nat table and the addresses. Without counters, and with iptables-nft, the read the generation
    /// says is still true is handed out again, the same object: no iptables-save of 10,000 rules, and whoever worked
    /// something out from it (the preview's change) can tell that it still holds.
    /// </summary>
    public async Task<KernelState> ReadKernelAsync(CancellationToken cancellationToken, bool withCounters = false)
    {
        if (withCounters)
        {
            var (counted, found) = await ReadRawAsync(cancellationToken, withCounters);
            return LiveStateBuilder.Build(counted, found);
        }
        var generation = await host.ReadGenerationAsync(cancellationToken);
        if (generation is { } at && _known is { } known && known.Generation == at)
        {
            if ((await host.ReadAddressesAsync(cancellationToken)).SequenceEqual(known.State.Addresses)) return known.State;
        }
        var (natTable, addresses) = await ReadRawAsync(cancellationToken);
        var state = LiveStateBuilder.Build(natTable, addresses);
        // Only a save the generation brackets is one consistent state: a commit in between may show half of it.
        _known = generation is { } before && await host.ReadGenerationAsync(cancellationToken) == before ? new Known(before, state) : null;
        return state;
    }

    public IOwnedFirewall Render(FirewallPlan plan) => IptablesRules.Render(plan);

    public IOwnedFirewall Load(string json) => OwnedState.FromJson(json);

    public ILiveFirewall Reconstruct(string text, IOwnedFirewall owned) =>
        LiveStateBuilder.Build(text, ((OwnedState)owned).Addresses.Select(a => new LiveAddress(a, a.OwnedLabel)).ToArray());

    public IBackendChange Compare(IOwnedFirewall desired, ILiveFirewall live) =>
        IptablesDiffer.Compare((OwnedState)desired, (KernelState)live);

    public Task CommitAsync(IBackendChange change, CancellationToken cancellationToken) =>
        host.RestoreAsync(change.Transaction, cancellationToken);

    public async Task VerifyAsync(IOwnedFirewall desired, CancellationToken cancellationToken)
    {
        var wanted = (OwnedState)desired;
        var (natTable, addresses) = await ReadRawAsync(cancellationToken);
        // iptables-save's own text (without counters) is the truth: a line-by-line match is proof, and cheap at 10,000 rules.
        if (IptablesDiffer.ShowsWantedState(wanted, natTable, addresses)) return;
        var check = IptablesDiffer.Compare(wanted, LiveStateBuilder.Build(natTable, addresses));
        if (!check.InSync) throw new VerificationException(check);
    }


    public string DescribeCommit() => host.DescribeRestore();

    public async Task<ILiveFirewall> ReadAsPreviousOwnerAsync(CancellationToken cancellationToken) => await ReadKernelAsync(cancellationToken);

    public IOwnedFirewall RenderAbsent(FirewallPlan plan) => IptablesRules.RenderAbsent(plan);

    public bool IsStoredState(string json) => OwnedState.IsStored(json);

    /// <summary>What the tools printed, unparsed, both read at once.</summary>
    private async Task<(string NatTable, IReadOnlyList<LiveAddress> Addresses)> ReadRawAsync(CancellationToken cancellationToken, bool withCounters = false)
    {
        var natTable = host.SaveNatTableAsync(withCounters, cancellationToken);
        var addresses = host.ReadAddressesAsync(cancellationToken);
        return (await natTable, await addresses);
    }
}
