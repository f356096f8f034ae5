using CliWrap;
using CliWrap.Buffered;

namespace RouterAdmin.Bench;

/// <summary>Runs a system tool with an argument array (never through a shell) and fails loudly with its stderr.</summary>
internal static class Shell
{
    private static readonly string[] SbinDirectories = ["/usr/local/sbin", "/usr/sbin", "/sbin"];

    public static async Task<string> RunAsync(string program, IReadOnlyList<string> arguments, string? standardInput = null,
        CancellationToken ct = default)
    {
        var command = Cli.Wrap(Resolve(program))
            .WithArguments(arguments)
            .WithValidation(CommandResultValidation.None);
        if (standardInput is not null)
            command = command.WithStandardInputPipe(PipeSource.FromString(standardInput));
        var result = await command.ExecuteBufferedAsync(ct);
        if (result.ExitCode != 0)
            throw new InvalidOperationException(
                $"`{program} {string.Join(' ', arguments)}` exited with {result.ExitCode}: {result.StandardError.Trim()}");
        return result.StandardOutput;
    }

    /// <summary>The tools live in sbin directories that a non-login PATH may lack.</summary>
    public static string Resolve(string program)
    {
        if (program.Contains('/')) return program;
        var path = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries);
        return path.Concat(SbinDirectories).Select(d => Path.Combine(d, program)).FirstOrDefault(File.Exists) ?? program;
    }
}
