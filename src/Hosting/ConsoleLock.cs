using Microsoft.Extensions.Options;
using RouterAdmin.Data;

namespace RouterAdmin.Hosting;

/// <summary>
/// One web console per database. A second one started on the same file would race the first: two drift watchers, two
/// confirmation timers, two start-up recoveries rolling back each other's changes. The first takes an exclusive lock on
/// a file beside the database for its whole life (the kernel drops it if the process dies); a second refuses to start
/// and says why. The command-line verbs do not take it: they work beside a running console, serialised by the apply gate.
/// </summary>
internal sealed class ConsoleLock(IOptions<DatabaseOptions> database, IHostEnvironment environment) : IHostedService, IDisposable
{
    public const string FileName = "console.lock";

    private FileStream? _held;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var folder = database.Value.DataFolder(environment.ContentRootPath);
        var path = Path.Combine(folder, FileName);
        _held = ExclusiveLockFile.TryTake(path) ?? throw new InvalidOperationException(
            $"Another RouterAdmin console is already running on the database in {folder} (it holds {path}). " +
            "Stop that one first; the command-line verbs (apply, restore, backup, …) work beside it.");
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        Dispose();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        _held?.Dispose();
        _held = null;
    }
}
