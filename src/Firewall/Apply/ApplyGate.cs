namespace RouterAdmin.Firewall.Apply;

/// <summary>
/// One apply at a time, across every browser session and every process: a second one waits for the first to finish
/// (and then, because the state has moved, is refused until its author previews again). Also publishes what is running.
/// </summary>
/// <remarks>
/// Inside the process a semaphore orders the circuits; between processes (the console and a verb such as restore or
/// apply) an exclusive lock on a file beside the database does, so a verb never mistakes the console's running apply
/// for an interrupted one. The kernel drops the lock when its holder dies, which is what lets recovery run after a crash.
/// </remarks>
public sealed class ApplyGate(string lockFile)
{
    private readonly SemaphoreSlim _semaphore = new(1, 1);
    private RunningApply? _running;

    public RunningApply? Running => _running;

    /// <summary>True while this process waits for another one (the console, or a verb) to finish changing the router.</summary>
    public bool WaitingForAnotherProcess => Volatile.Read(ref _waitingForAnotherProcess) != 0;

    private int _waitingForAnotherProcess;

    /// <summary>Raised on every progress step and when an apply ends; handlers must be cheap and thread-safe.</summary>
    public event Action? Changed;

    public async Task<IAsyncDisposable> EnterAsync(string actor, string kind, TimeProvider clock, CancellationToken cancellationToken)
    {
        await _semaphore.WaitAsync(cancellationToken);
        FileStream held;
        try
        {
            held = await LockFileAsync(cancellationToken);
        }
        catch
        {
            _semaphore.Release();
            throw;
        }
        _running = new RunningApply(actor, kind, clock.GetUtcNow(), new ApplyProgress(ApplyStep.Planning, "Planning"));
        Changed?.Invoke();
        return new Exit(this, held);
    }

    private async Task<FileStream> LockFileAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                if (Data.ExclusiveLockFile.TryTake(lockFile) is { } held) return held;
                Volatile.Write(ref _waitingForAnotherProcess, 1);
                await Task.Delay(100, cancellationToken); // another process is changing the router
            }
        }
        finally
        {
            Volatile.Write(ref _waitingForAnotherProcess, 0);
        }
    }

    public void Report(ApplyProgress progress)
    {
        if (_running is { } running) _running = running with { Progress = progress };
        Changed?.Invoke();
    }

    private sealed class Exit(ApplyGate gate, FileStream held) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await held.DisposeAsync();
            gate._running = null;
            gate._semaphore.Release();
            gate.Changed?.Invoke();
        }
    }
}
