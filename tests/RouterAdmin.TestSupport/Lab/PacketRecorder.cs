using System.Net.Sockets;

namespace RouterAdmin.TestSupport.Lab;

/// <summary>
/// A socket in some namespace whose receive loop records every datagram it parses, so tests can wait for a
/// condition over everything seen so far instead of sleeping.
/// </summary>
public abstract class PacketRecorder<T> : IAsyncDisposable
{
    private readonly List<T> _packets = [];
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _stop = new();
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task _loop = Task.CompletedTask;
    private int _disposed;

    protected PacketRecorder(string ns, Socket socket)
    {
        Namespace = ns;
        Socket = socket;
    }

    public string Namespace { get; }
    protected Socket Socket { get; }

    /// <summary>Set when the receive loop died of something other than being stopped.</summary>
    public Exception? Fault { get; private set; }

    /// <summary>Everything recorded so far, in arrival order.</summary>
    public IReadOnlyList<T> Packets
    {
        get
        {
            lock (_gate)
                return [.. _packets];
        }
    }

    /// <summary>
    /// Waits until <paramref name="condition"/> holds over everything recorded so far; false after
    /// <paramref name="timeout"/>.
    /// </summary>
    public async Task<bool> WaitForAsync(Func<IReadOnlyList<T>, bool> condition, TimeSpan timeout, CancellationToken ct = default)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(timeout);
        while (true)
        {
            T[] snapshot;
            Task changed;
            lock (_gate)
            {
                snapshot = [.. _packets];
                changed = _changed.Task;
            }
            if (condition(snapshot))
                return true;
            if (Fault is { } fault)
                throw new InvalidOperationException($"The receiver in {Namespace} stopped: {fault.Message}", fault);
            try
            {
                await changed.WaitAsync(deadline.Token);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                return condition(Packets);
            }
        }
    }

    /// <summary>Clears the record, e.g. between phases of a test.</summary>
    public void Clear()
    {
        lock (_gate)
            _packets.Clear();
    }

    protected void Start() => _loop = Task.Run(() => ReceiveLoopAsync(_stop.Token));

    /// <summary>Receives and parses one datagram; null for one that is not of interest.</summary>
    protected abstract ValueTask<T?> ReceiveOneAsync(Memory<byte> buffer, CancellationToken ct);

    private async Task ReceiveLoopAsync(CancellationToken ct)
    {
        var buffer = new byte[65_536];
        try
        {
            while (!ct.IsCancellationRequested)
            {
                if (await ReceiveOneAsync(buffer, ct) is { } packet)
                    Record(packet);
            }
        }
        catch (Exception) when (ct.IsCancellationRequested)
        {
            // Stopping closes the socket under a pending receive; whatever that throws is the normal end.
        }
        catch (Exception e)
        {
            Fault = e;
            Signal();
        }
    }

    private void Record(T packet) => Signal(() => _packets.Add(packet));

    // Wakes every waiter; each then re-evaluates its condition over a fresh snapshot.
    private void Signal(Action? change = null)
    {
        TaskCompletionSource changed;
        lock (_gate)
        {
            change?.Invoke();
            changed = _changed;
            _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        changed.SetResult();
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
            return;
        await _stop.CancelAsync();
        Socket.Dispose();
        await _loop;
        _stop.Dispose();
        GC.SuppressFinalize(this);
    }
}
