using System.Net;
using System.Net.Sockets;

namespace RouterAdmin.TestSupport.Lab;

/// <summary>
/// A live ESP "tunnel": one packet every <see cref="Interval"/> until stopped, for tests that change a mapping while
/// traffic flows (a real tunnel keeps its conntrack entry alive exactly like this).
/// </summary>
public sealed class EspFlow : IAsyncDisposable
{
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromMilliseconds(20);

    private readonly EspSender _sender;
    private readonly CancellationTokenSource _stop = new();
    private Task _loop = Task.CompletedTask;
    private long _sendErrors;
    private int _stopped;

    private EspFlow(EspSender sender, IPAddress destination, uint spi, TimeSpan interval)
    {
        _sender = sender;
        Destination = destination;
        Spi = spi;
        Interval = interval;
    }

    public IPAddress Destination { get; }
    public uint Spi { get; }
    public TimeSpan Interval { get; }

    /// <summary>Sequence number of the last packet sent; the flow has sent exactly this many.</summary>
    public uint LastSequence => _sender.LastSequence(Spi);

    /// <summary>Sends the kernel refused (e.g. no route); the flow keeps going, as a tunnel would.</summary>
    public long SendErrors => Interlocked.Read(ref _sendErrors);

    public static async Task<EspFlow> StartAsync(string ns, IPAddress destination, uint spi, TimeSpan interval, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(interval, TimeSpan.Zero);
        var flow = new EspFlow(await EspSender.OpenAsync(ns, ct), destination, spi, interval);
        flow._loop = Task.Run(() => flow.RunAsync(flow._stop.Token), CancellationToken.None);
        return flow;
    }

    private async Task RunAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(Interval);
        try
        {
            do
            {
                try
                {
                    await _sender.SendOneAsync(Destination, Spi, ct);
                }
                catch (SocketException)
                {
                    Interlocked.Increment(ref _sendErrors);
                }
            }
            while (await timer.WaitForNextTickAsync(ct));
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    /// <summary>Stops sending; when this returns, no further packet of the flow will be sent.</summary>
    public async Task StopAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1)
            return;
        await _stop.CancelAsync();
        await _loop;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        await _sender.DisposeAsync();
        _stop.Dispose();
    }
}
