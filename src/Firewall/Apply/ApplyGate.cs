namespace RouterAdmin.Firewall.Apply;

/// <summary>
/// One apply at a time, across every browser session and the command line: a second one waits for the first to finish
/// (and then, because the state has moved, is refused until its author previews again). Also publishes what is running.
/// </summary>
public sealed class ApplyGate
{
    private readonly SemaphoreSlim _semaphore = new(1, 1);
    private RunningApply? _running;

    public RunningApply? Running => _running;

    /// <summary>Raised on every progress step and when an apply ends; handlers must be cheap and thread-safe.</summary>
    public event Action? Changed;

    public async Task<IAsyncDisposable> EnterAsync(string actor, string kind, TimeProvider clock, CancellationToken cancellationToken)
    {
        await _semaphore.WaitAsync(cancellationToken);
        _running = new RunningApply(actor, kind, clock.GetUtcNow(), new ApplyProgress(ApplyStep.Planning, "Planning"));
        Changed?.Invoke();
        return new Exit(this);
    }

    public void Report(ApplyProgress progress)
    {
        if (_running is { } running) _running = running with { Progress = progress };
        Changed?.Invoke();
    }

    private sealed class Exit(ApplyGate gate) : IAsyncDisposable
    {
        public ValueTask DisposeAsync()
        {
            gate._running = null;
            gate._semaphore.Release();
            gate.Changed?.Invoke();
            return ValueTask.CompletedTask;
        }
    }
}
