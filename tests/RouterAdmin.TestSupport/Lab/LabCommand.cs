using CliWrap;
using CliWrap.Buffered;

namespace RouterAdmin.TestSupport.Lab;

public sealed record CommandResult(int ExitCode, string StandardOutput, string StandardError)
{
    public bool Succeeded => ExitCode == 0;
}

public sealed class LabCommandException(string commandLine, CommandResult result)
    : Exception($"`{commandLine}` exited with {result.ExitCode}: {Describe(result)}")
{
    public string CommandLine { get; } = commandLine;
    public CommandResult Result { get; } = result;

    private static string Describe(CommandResult result) =>
        result.StandardError.Trim() is { Length: > 0 } stderr ? stderr
        : result.StandardOutput.Trim() is { Length: > 0 } stdout ? stdout
        : "(no output)";
}

/// <summary>Runs one lab binary with an argument array (never through a shell).</summary>
public static class LabCommand
{
    public static async Task<CommandResult> TryRunAsync(
        string program, IReadOnlyList<string> arguments, string? standardInput = null, CancellationToken ct = default)
    {
        var command = Cli.Wrap(LabTools.Resolve(program))
            .WithArguments(arguments)
            .WithValidation(CommandResultValidation.None);
        if (standardInput is not null)
            command = command.WithStandardInputPipe(PipeSource.FromString(standardInput));

        var result = await command.ExecuteBufferedAsync(ct);
        return new CommandResult(result.ExitCode, result.StandardOutput, result.StandardError);
    }

    public static async Task<string> RunAsync(
        string program, IReadOnlyList<string> arguments, string? standardInput = null, CancellationToken ct = default)
    {
        var result = await TryRunAsync(program, arguments, standardInput, ct);
        if (!result.Succeeded)
            throw new LabCommandException(Format(program, arguments, standardInput), result);
        return result.StandardOutput;
    }

    private static string Format(string program, IReadOnlyList<string> arguments, string? standardInput) =>
        string.Join(' ', [program, .. arguments])
        + (standardInput is null ? "" : $" <<EOF\n{standardInput}EOF\n");
}
