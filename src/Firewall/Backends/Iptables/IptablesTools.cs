using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using RouterAdmin.Firewall.Model;

namespace RouterAdmin.Firewall.Backends.Iptables;

/// <summary>The real router: iptables-save/-restore (nft or legacy), with the host's ip and conntrack.</summary>
public sealed partial class IptablesTools(CommandRunner runner, HostTools host, Nftables.NftGeneration generations, IOptions<FirewallOptions> options) : HostNetworkForwarder(host), IIptablesHost
{
    private FirewallOptions Options => options.Value;
    private string? _variant;

    public string Name => _variant is null ? "iptables" : $"iptables ({_variant})";
    public bool TouchesKernel => true;
    public string? Namespace => string.IsNullOrEmpty(Options.Namespace) ? null : Options.Namespace;

    /// <summary>Asks the installed iptables which variant it is ("nf_tables" or "legacy"), for the banner and the history.</summary>
    public async Task<string> DetectVariantAsync(CancellationToken cancellationToken)
    {
        var output = await runner.RunAsync(Options.IptablesTool("iptables"), ["--version"], cancellationToken: cancellationToken);
        var match = VariantPattern().Match(output.StandardOutput);
        return _variant = match.Success ? match.Groups[1].Value : "unknown";
    }

    public async Task<Nftables.NftGeneration.Reading?> ReadGenerationAsync(CancellationToken cancellationToken)
    {
        if (_variant is null) await DetectVariantAsync(cancellationToken);
        // iptables-legacy keeps its tables outside nf_tables, where no generation counts its changes.
        return _variant == "nf_tables" ? await generations.ReadAsync() : null;
    }

    public async Task<string> SaveNatTableAsync(bool withCounters, CancellationToken cancellationToken)
    {
        if (_variant is null) await DetectVariantAsync(cancellationToken);
        string[] args = withCounters ? ["-t", "nat", "-c"] : ["-t", "nat"];
        return (await runner.RunAsync(Options.IptablesTool("iptables-save"), args, cancellationToken: cancellationToken)).StandardOutput;
    }

    public Task RestoreAsync(string script, CancellationToken cancellationToken) =>
        runner.RunAsync(Options.IptablesTool("iptables-restore"), RestoreArguments, script, cancellationToken: cancellationToken);

    public string DescribeRestore() => runner.Describe(Options.IptablesTool("iptables-restore"), RestoreArguments) + " < script";


    private string[] RestoreArguments => ["-w", Options.LockWaitSeconds.ToString(CultureInfo.InvariantCulture), "--noflush"];

    [GeneratedRegex(@"\((nf_tables|legacy)\)")]
    private static partial Regex VariantPattern();
}
