using System.Diagnostics;
using CliWrap;
using CliWrap.Buffered;
using Microsoft.Extensions.Options;

namespace RouterAdmin.Firewall.Backends;

public sealed record CommandOutput(int ExitCode, string StandardOutput, string StandardError, TimeSpan Duration);

/// <summary>A command failed. The message names the command and carries what it printed on stderr.</summary>
public sealed class FirewallCommandException(string commandLine, int exitCode, string standardError)
    : Exception($"`{commandLine}` exited with status {exitCode}: {standardError.Trim()}")
{
    public string CommandLine { get; } = commandLine;
    public int ExitCode { get; } = exitCode;
    public string StandardError { get; } = standardError;
}

/// <summary>
/// Runs the firewall tools through CliWrap: arguments as an array (no shell, nothing to quote), input through a pipe,
/// inside the configured network namespace when there is one.
/// </summary>
public sealed class CommandRunner(IOptions<FirewallOptions> options, ILogger<CommandRunner> logger)
{
    private static readonly string[] SystemDirectories = ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"];

    private FirewallOptions Options => options.Value;

    /// <summary>The command line as it will run, for previews and history.</summary>
    public string Describe(string program, IEnumerable<string> arguments) =>
        string.Join(' ', Argv(program, arguments).Select(w => w.Any(char.IsWhiteSpace) || w.Length == 0 ? $"'{w}'" : w));

    public async Task<CommandOutput> RunAsync(string program, IReadOnlyList<string> arguments, string? standardInput = null,
        bool throwOnFailure = true, CancellationToken cancellationToken = default)
    {
        var argv = Argv(program, arguments);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(Options.CommandTimeoutSeconds));
        var command = Cli.Wrap(Resolve(argv[0]))
            .WithArguments(argv.Skip(1).ToArray())
            .WithValidation(CommandResultValidation.None);
        if (standardInput is not null)
            command = command.WithStandardInputPipe(PipeSource.FromString(standardInput));

        var started = Stopwatch.GetTimestamp();
        BufferedCommandResult result;
        try
        {
            result = await command.ExecuteBufferedAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new FirewallCommandException(Describe(program, arguments), -1, $"timed out after {Options.CommandTimeoutSeconds} s and was killed");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new FirewallCommandException(Describe(program, arguments), -1, $"could not be started: {e.Message}");
        }
        var output = new CommandOutput(result.ExitCode, result.StandardOutput, result.StandardError, Stopwatch.GetElapsedTime(started));
        logger.LogDebug("{Command} -> {ExitCode} in {Duration} ms", argv[0], output.ExitCode, output.Duration.TotalMilliseconds);
        if (throwOnFailure && output.ExitCode != 0)
            throw new FirewallCommandException(Describe(program, arguments), output.ExitCode, output.StandardError);
        return output;
    }

    private string[] Argv(string program, IEnumerable<string> arguments) =>
        string.IsNullOrEmpty(Options.Namespace)
            ? [program, .. arguments]
            : [Options.Paths.Ip, "netns", "exec", Options.Namespace, program, .. arguments];

    /// <summary>
    /// The tools live in /usr/sbin, which is not on an unprivileged user's PATH on Debian; look there too, so the
    /// console can run as a non-root user with only CAP_NET_ADMIN.
    /// </summary>
    private static string Resolve(string program)
    {
        if (program.Contains('/')) return program;
        var path = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries);
        foreach (var directory in path.Concat(SystemDirectories))
        {
            var candidate = Path.Combine(directory, program);
            if (File.Exists(candidate)) return candidate;
        }
        return program;
    }
}
