using Microsoft.Extensions.Options;

namespace RouterAdmin.Firewall.Backends.Nftables;

/// <summary>
/// nft: in the console through <see cref="NftLibrary"/> (the default), or the <c>nft</c> binary through the same runner
/// (and network namespace) as every other tool when <c>RouterAdmin:Firewall:NftLibrary</c> is empty. Both speak the
/// same language and give the same answers, so callers do not know which runs.
/// </summary>
public sealed class NftTools(CommandRunner runner, NftLibrary library, IOptions<FirewallOptions> options)
{
    private FirewallOptions Options => options.Value;

    public string Table => NftTableName.Validate(Options.NftTable);

    /// <summary><c>nft -j list table ip NAME</c>; null when there is no such table (nothing owned yet, or flushed).</summary>
    public Task<string?> ListTableJsonAsync(CancellationToken cancellationToken) => ListJsonAsync(ListArguments, cancellationToken);

    /// <summary>
    /// An <c>nft list …</c> of one object (a table, chain or set), or null when nft says that object does not exist. A
    /// missing nft binary, or any other failure, is an error: it must not pass for "nothing owned yet".
    /// </summary>
    public async Task<string?> ListJsonAsync(IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        if (library.Enabled)
        {
            var listed = await library.RunAsync(string.Join(' ', arguments.Where(a => a != "-j")), json: arguments.Contains("-j"), cancellationToken);
            if (listed.Status == 0) return listed.Output;
            if (listed.Error.StartsWith("Error: No such file or directory", StringComparison.Ordinal)) return null;
            throw new FirewallCommandException(library.Describe(string.Join(' ', arguments)), listed.Status, listed.Error);
        }
        var output = await runner.RunAsync(Options.Paths.Nft, arguments, throwOnFailure: false, cancellationToken: cancellationToken);
        if (output.ExitCode == 0) return output.StandardOutput;
        // nft's own words for a missing object; through ip netns exec, a missing binary says "exec of … failed: No such
        // file or directory", which does not start like this.
        if (output.StandardError.StartsWith("Error: No such file or directory", StringComparison.Ordinal)) return null;
        throw new FirewallCommandException(runner.Describe(Options.Paths.Nft, arguments), output.ExitCode, output.StandardError);
    }

    private bool? _missing;

    /// <summary>Whether nft cannot be started at all (asked once: installing it means restarting the console).</summary>
    public async Task<bool> IsMissingAsync(CancellationToken cancellationToken)
    {
        if (_missing is { } known) return known;
        if (library.Enabled)
        {
            try
            {
                await library.RunAsync("list tables ip", json: false, cancellationToken);
                _missing = false;
            }
            catch (FirewallCommandException e) when (e.ExitCode == -1)
            {
                _missing = true;
            }
            return _missing.Value;
        }
        try
        {
            var output = await runner.RunAsync(Options.Paths.Nft, ["--version"], throwOnFailure: false, cancellationToken: cancellationToken);
            // Through ip netns exec a missing program is iproute2's "exec of "nft" failed", not nft's own words.
            _missing = output.ExitCode != 0 && output.StandardError.Contains("exec of", StringComparison.Ordinal);
        }
        catch (FirewallCommandException e) when (e.ExitCode == -1 && e.StandardError.StartsWith("could not be started", StringComparison.Ordinal))
        {
            _missing = true;
        }
        return _missing.Value;
    }

    /// <summary><c>nft -j list ruleset</c>: the owned table and everyone else's, for the rules others wrote.</summary>
    public async Task<string> ListRulesetJsonAsync(CancellationToken cancellationToken) =>
        await ListJsonAsync(["-j", "list", "ruleset"], cancellationToken)
            ?? throw new FirewallCommandException(DescribeList("ruleset"), 1, "nft found no ruleset to list");

    /// <summary>One <c>nft -f -</c> transaction: nft commits the whole file or nothing.</summary>
    public async Task RunAsync(string script, CancellationToken cancellationToken, string what = "transaction")
    {
        if (!library.Enabled)
        {
            await runner.RunAsync(Options.Paths.Nft, ["-f", "-"], script, cancellationToken: cancellationToken);
            return;
        }
        var result = await library.RunAsync(script, json: false, cancellationToken);
        if (result.Status != 0) throw new FirewallCommandException(library.Describe(what), result.Status, result.Error);
    }

    public string DescribeRun(string what = "transaction") =>
        library.Enabled ? library.Describe(what) : runner.Describe(Options.Paths.Nft, ["-f", "-"]) + " < " + what;

    private string DescribeList(string what) =>
        library.Enabled ? library.Describe($"list {what}") : runner.Describe(Options.Paths.Nft, ["-j", "list", what]);

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
