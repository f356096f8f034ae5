using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using RouterAdmin.Firewall.Diff;
using RouterAdmin.Firewall.LiveState;
using RouterAdmin.Firewall.Model;

namespace RouterAdmin.Firewall.Backends;

/// <summary>The real router: iptables-save/-restore (nft or legacy), ip and conntrack.</summary>
public sealed partial class IptablesBackend(CommandRunner runner, IOptions<FirewallOptions> options) : IFirewallBackend
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

    public async Task<string> SaveNatTableAsync(bool withCounters, CancellationToken cancellationToken)
    {
        if (_variant is null) await DetectVariantAsync(cancellationToken);
        string[] args = withCounters ? ["-t", "nat", "-c"] : ["-t", "nat"];
        return (await runner.RunAsync(Options.IptablesTool("iptables-save"), args, cancellationToken: cancellationToken)).StandardOutput;
    }

    public async Task<IReadOnlyList<LiveAddress>> ReadAddressesAsync(CancellationToken cancellationToken)
    {
        var output = await runner.RunAsync(Options.Paths.Ip, ["-j", "-4", "addr", "show"], cancellationToken: cancellationToken);
        return IpAddrJsonParser.Parse(output.StandardOutput);
    }

    public Task RestoreAsync(string script, CancellationToken cancellationToken) =>
        runner.RunAsync(Options.IptablesTool("iptables-restore"), RestoreArguments, script, cancellationToken: cancellationToken);

    public Task AddAddressAsync(BoundAddress address, CancellationToken cancellationToken) =>
        runner.RunAsync(Options.Paths.Ip, AddAddressArguments(address), cancellationToken: cancellationToken);

    public Task DeleteAddressAsync(BoundAddress address, CancellationToken cancellationToken) =>
        runner.RunAsync(Options.Paths.Ip, DeleteAddressArguments(address), cancellationToken: cancellationToken);

    public async Task<int> ResetFlowAsync(FlowKey flow, CancellationToken cancellationToken)
    {
        var output = await runner.RunAsync(Options.Paths.Conntrack, ResetFlowArguments(flow), throwOnFailure: false, cancellationToken: cancellationToken);
        // conntrack -D exits 1 when nothing matched: that is the normal case for a client that was not talking.
        var deleted = DeletedCount().Match(output.StandardError);
        if (deleted.Success) return int.Parse(deleted.Groups[1].Value, CultureInfo.InvariantCulture);
        if (output.ExitCode == 1) return 0;
        throw new FirewallCommandException(DescribeResetFlow(flow), output.ExitCode, output.StandardError);
    }

    public async Task<IReadOnlyList<ConntrackEntry>> ListFlowsAsync(CancellationToken cancellationToken)
    {
        // A failed listing must not read as "no connections": the apply would then skip resets it needs.
        var output = await runner.RunAsync(Options.Paths.Conntrack, ["-L"], cancellationToken: cancellationToken);
        return ConntrackParser.Parse(output.StandardOutput);
    }

    public string DescribeRestore() => runner.Describe(Options.IptablesTool("iptables-restore"), RestoreArguments) + " < script";
    public string DescribeAddAddress(BoundAddress address) => runner.Describe(Options.Paths.Ip, AddAddressArguments(address));
    public string DescribeDeleteAddress(BoundAddress address) => runner.Describe(Options.Paths.Ip, DeleteAddressArguments(address));
    public string DescribeResetFlow(FlowKey flow) => runner.Describe(Options.Paths.Conntrack, ResetFlowArguments(flow));

    private string[] RestoreArguments => ["-w", Options.LockWaitSeconds.ToString(CultureInfo.InvariantCulture), "--noflush"];

    private static string[] AddAddressArguments(BoundAddress a) =>
        ["addr", "add", $"{a.Address}/{a.PrefixLength}", "dev", a.Interface, "label", a.OwnedLabel];

    private static string[] DeleteAddressArguments(BoundAddress a) =>
        ["addr", "del", $"{a.Address}/{a.PrefixLength}", "dev", a.Interface];

    private static string[] ResetFlowArguments(FlowKey flow)
    {
        var args = new List<string> { "-D", "-s", flow.Source.BaseAddress.ToString() };
        if (flow.Source.PrefixLength < 32) args.AddRange(["--mask-src", Domain.Ipv4.FromUInt32(Domain.Ipv4.Mask(flow.Source.PrefixLength)).ToString()]);
        args.AddRange(["-d", flow.Destination.BaseAddress.ToString()]);
        if (flow.Destination.PrefixLength < 32) args.AddRange(["--mask-dst", Domain.Ipv4.FromUInt32(Domain.Ipv4.Mask(flow.Destination.PrefixLength)).ToString()]);
        return [.. args];
    }

    [GeneratedRegex(@"\((nf_tables|legacy)\)")]
    private static partial Regex VariantPattern();

    [GeneratedRegex(@"(\d+) flow entries have been deleted")]
    private static partial Regex DeletedCount();
}
