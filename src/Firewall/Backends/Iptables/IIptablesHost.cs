using RouterAdmin.Firewall.Model;

namespace RouterAdmin.Firewall.Backends.Iptables;

/// <summary>
/// What the iptables backend runs its rules on: the real tools (<see cref="IptablesTools"/>) or the simulated router
/// kept in the database. The same rendering, diff and transaction drive both.
/// </summary>
public interface IIptablesHost : IHostNetwork
{
    /// <summary>"iptables (nf_tables)", "simulated", …: shown in the banner and recorded with every revision.</summary>
    string Name { get; }

    /// <summary>False for the simulated backend: the UI says that nothing reaches the kernel.</summary>
    bool TouchesKernel { get; }

    string? Namespace { get; }

    /// <summary>
    /// The nf_tables generation when the rules live in nf_tables (iptables-nft): raised by every commit, so two equal
    /// readings mean the table did not change in between. Null when nothing counts the changes (iptables-legacy, the
    /// simulated router): then every read is a full one.
    /// </summary>
    Task<Nftables.NftGeneration.Reading?> ReadGenerationAsync(CancellationToken cancellationToken);

    /// <summary>The nat table as iptables-save prints it, with packet counters when asked.</summary>
    Task<string> SaveNatTableAsync(bool withCounters, CancellationToken cancellationToken);

    /// <summary>One atomic iptables-restore --noflush transaction: all of it takes effect, or none.</summary>
    Task RestoreAsync(string script, CancellationToken cancellationToken);

    /// <summary>The restore command, as text for the preview and the history.</summary>
    string DescribeRestore();
}
