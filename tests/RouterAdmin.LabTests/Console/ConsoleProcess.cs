using System.Diagnostics;

namespace RouterAdmin.LabTests.Console;

/// <summary>The console's real executable, run as a separate process with a verb, as systemd or an administrator would.</summary>
public static class ConsoleProcess
{
    public static string Executable => Path.Combine(AppContext.BaseDirectory, "RouterAdmin.dll");

    /// <summary>The dotnet host running these tests, so the child process uses the same runtime.</summary>
    public static string DotNet =>
        Environment.ProcessPath is { } path && Path.GetFileNameWithoutExtension(path) == "dotnet" ? path : "/usr/bin/dotnet";

    /// <summary>Runs <c>dotnet RouterAdmin.dll ARGS</c> with the console's settings as environment variables, optionally behind a launcher (setpriv, ip netns exec).</summary>
    public static async Task<(int Code, string Output)> RunAsync(LabConsole console, IReadOnlyList<string> arguments, CancellationToken ct,
        IReadOnlyDictionary<string, string?>? extraSettings = null, IReadOnlyList<string>? launcher = null)
    {
        string[] command = [.. launcher ?? [], DotNet, Executable, .. arguments];
        var start = new ProcessStartInfo(command[0], command[1..]) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var (key, value) in console.Settings.Concat(extraSettings ?? new Dictionary<string, string?>()))
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(ct);
        var error = process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        return (process.ExitCode, await output + await error);
    }
}
