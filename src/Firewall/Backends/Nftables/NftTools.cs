using Microsoft.Extensions.Options;

namespace RouterAdmin.Firewall.Backends.Nftables;

/// <summary>The <c>nft</c> binary, through the same runner (and network namespace) as every other tool.</summary>
public sealed class NftTools(CommandRunner runner, IOptions<FirewallOptions> options)
{
    private FirewallOptions Options => options.Value;

    public string Table => NftTableName.Validate(Options.NftTable);

    /// <summary><c>nft -j list table ip NAME</c>; null when there is no such table (nothing owned yet, or flushed).</summary>
    public async Task<string?> ListTableJsonAsync(CancellationToken cancellationToken)
    {
        var output = await runner.RunAsync(Options.Paths.Nft, ListArguments, throwOnFailure: false, cancellationToken: cancellationToken);
        if (output.ExitCode == 0) return output.StandardOutput;
        // nft's own words for a missing table; a missing nft binary also says "No such file or directory" (from exec),
        // and must not pass for "nothing owned yet".
        if (output.StandardError.StartsWith("Error: No such file or directory", StringComparison.Ordinal)) return null;
        throw new FirewallCommandException(runner.Describe(Options.Paths.Nft, ListArguments), output.ExitCode, output.StandardError);
    }

    /// <summary><c>nft -j list ruleset</c>: the owned table and everyone else's, for the rules others wrote.</summary>
    public async Task<string> ListRulesetJsonAsync(CancellationToken cancellationToken) =>
        (await runner.RunAsync(Options.Paths.Nft, ["-j", "list", "ruleset"], cancellationToken: cancellationToken)).StandardOutput;

    /// <summary>One <c>nft -f -</c> transaction: nft commits the whole file or nothing.</summary>
    public Task RunAsync(string script, CancellationToken cancellationToken) =>
        runner.RunAsync(Options.Paths.Nft, ["-f", "-"], script, cancellationToken: cancellationToken);

    public string DescribeRun() => runner.Describe(Options.Paths.Nft, ["-f", "-"]) + " < transaction";

    private string[] ListArguments => ["-j", "list", "table", "ip", Table];
}

/// <summary>The owned table's name reaches nft files and command lines: only letters, digits and '_'.</summary>
public static class NftTableName
{
    public static string Validate(string name) =>
        name.Length is > 0 and <= 32 && char.IsAsciiLetter(name[0]) && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_')
            ? name
            : throw new InvalidOperationException($"RouterAdmin:Firewall:NftTable \"{name}\" must be 1–32 letters, digits or '_', starting with a letter.");
}
