using System.Diagnostics;

namespace RouterAdmin.TestSupport;

/// <summary>The console's real executable, run as a separate process with a verb, as systemd or an administrator would.</summary>
public static class ConsoleProcess
{
    public static string Executable => Path.Combine(AppContext.BaseDirectory, "RouterAdmin.dll");

    /// <summary>The dotnet host running these tests, so the child process uses the same runtime.</summary>
    public static string DotNet =>
        Environment.ProcessPath is { } path && Path.GetFileNameWithoutExtension(path) == "dotnet" ? path : "/usr/bin/dotnet";

    /// <summary>Runs <c>dotnet RouterAdmin.dll ARGS</c> with the console's settings as environment variables, optionally behind a launcher (setpriv, ip netns exec).</summary>
    public static async Task<(int Code, string Output)> RunAsync(TestConsole console, IReadOnlyList<string> arguments, CancellationToken ct,
        IReadOnlyDictionary<string, string?>? extraSettings = null, IReadOnlyList<string>? launcher = null, string? executable = null)
    {
        string[] command = [.. launcher ?? [], DotNet, executable ?? Executable, .. arguments];
        var start = new ProcessStartInfo(command[0], command[1..]) { RedirectStandardOutput = true, RedirectStandardError = true };
        // Another user may not be able to enter the tests' own folder: start it where its copy is.
        if (executable is not null) start.WorkingDirectory = Path.GetDirectoryName(executable)!;
        foreach (var (key, value) in console.Configuration.Concat(extraSettings ?? new Dictionary<string, string?>()))
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(ct);
        var error = process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        return (process.ExitCode, await output + await error);
    }

    /// <summary>
    /// A copy of the console's build output in a fresh folder every user can read, for running it as another user: the
    /// checkout may sit under a folder only its owner can enter (a Debian home directory is 0700).
    /// </summary>
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public static string CopyForAnyUser(string into)
    {
        const UnixFileMode Readable = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
        const UnixFileMode Traversable = Readable | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
        var source = AppContext.BaseDirectory;
        Directory.CreateDirectory(into, Traversable);
        File.SetUnixFileMode(into, Traversable);
        foreach (var folder in Directory.GetDirectories(source, "*", SearchOption.AllDirectories))
            Directory.CreateDirectory(Path.Combine(into, Path.GetRelativePath(source, folder)), Traversable);
        foreach (var file in Directory.GetFiles(source, "*", SearchOption.AllDirectories))
        {
            var copy = Path.Combine(into, Path.GetRelativePath(source, file));
            File.Copy(file, copy, overwrite: true);
            File.SetUnixFileMode(copy, Readable);
        }
        return Path.Combine(into, Path.GetFileName(Executable));
    }
}
