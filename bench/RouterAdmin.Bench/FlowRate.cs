using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using RouterAdmin.TestSupport.Lab;

namespace RouterAdmin.Bench;

/// <summary>The mapping a flow measurement sends through: the last one the backend holds, as the kernel holds it.</summary>
public sealed record MeasuredMapping(IPAddress Client, IPAddress Endpoint, IPAddress External);

/// <summary>
/// New flows per second through the bench router from one client, each datagram a new conntrack flow (its own source
/// port), so each passes the nat postrouting hook once. <paramref name="FlowsPerSecond"/>: one figure per repetition.
/// </summary>
public sealed record FlowRateResult(
    MeasuredMapping Mapping,
    int FlowsPerRepetition,
    Samples FlowsPerSecond,
    long Lost,
    long FromWrongSource,
    long NewFlowsCounted)
{
    /// <summary>The whole path of one new flow: the sender's syscall, two veth hops, forward, conntrack, nat, the sink's socket.</summary>
    public double MicrosecondsPerFlow => 1e6 / FlowsPerSecond.Median;
}

/// <summary>
/// The per-new-flow cost in the kernel. A raw UDP socket in the client namespace (the kernel adds the IP header; the
/// benchmark writes the UDP header with a new source port each time) sends to a UDP socket in the peer namespace;
/// veth delivers each datagram through the router in the sender's own softirq, so the send loop's time is the
/// path's. The sink is read only after the loop (its buffer is forced big enough to hold every datagram), so reading
/// it does not compete with the sender; every datagram must arrive, from the mapped external address. The router's
/// conntrack table is flushed before each repetition and must then hold exactly one entry per datagram.
/// </summary>
public static class FlowRate
{
    public const int SinkPort = 4500;
    private const int FirstSourcePort = 10_000;
    private const int PayloadBytes = 16;
    private const int SolSocket = 1;
    private const int SoRcvBufForce = 33;

    public static async Task<FlowRateResult> MeasureAsync(BenchRouter router, MeasuredMapping mapping, int flows, int repeat,
        Action<string> log, CancellationToken ct)
    {
        if (flows > ushort.MaxValue - FirstSourcePort) throw new ArgumentOutOfRangeException(nameof(flows));
        await router.AddClientAddressAsync(mapping.Client, ct);
        // Room for every flow of a repetition and then some: a full table would drop new flows, not slow them.
        await Netns.WriteSysctlAsync(router.RouterNamespace, "net.netfilter.nf_conntrack_max", Math.Max(262_144, 4 * flows).ToString(System.Globalization.CultureInfo.InvariantCulture));

        using var sink = await Netns.OpenSocketAsync(router.PeerNamespace, AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        // SO_RCVBUFFORCE (root) passes net.core.rmem_max: about 1 KiB of buffer per queued small datagram.
        sink.SetRawSocketOption(SolSocket, SoRcvBufForce, BitConverter.GetBytes(Math.Max(8 << 20, flows * 2048)));
        sink.Bind(new IPEndPoint(IPAddress.Any, SinkPort));
        using var sender = await Netns.OpenRawSocketAsync(router.ClientNamespace, (int)ProtocolType.Udp);
        sender.Bind(new IPEndPoint(mapping.Client, 0));

        // Neighbour entries on both hops, the JIT of the loop, and a first look that the path works at all.
        await FlushAsync(router, ct);
        await SendAsync(sender, mapping.Endpoint, 100, FirstSourcePort);
        var (warmArrived, warmWrong) = Drain(sink, mapping.External);
        if (warmArrived == 0)
            throw new InvalidOperationException($"No datagram from {mapping.Client} reached {mapping.Endpoint}:{SinkPort} through the router.");
        if (warmWrong > 0)
            throw new InvalidOperationException($"Datagrams from {mapping.Client} to {mapping.Endpoint} left from another address than {mapping.External}: is the mapping applied?");

        var rates = new List<double>();
        long lost = 0, wrong = 0, counted = 0;
        for (var r = 1; r <= repeat; r++)
        {
            await FlushAsync(router, ct);
            var seconds = await SendAsync(sender, mapping.Endpoint, flows, FirstSourcePort);
            var (arrived, fromWrong) = Drain(sink, mapping.External);
            var entries = long.Parse(await Netns.ReadSysctlAsync(router.RouterNamespace, "net.netfilter.nf_conntrack_count"), System.Globalization.CultureInfo.InvariantCulture);
            lost += flows - arrived;
            wrong += fromWrong;
            counted += entries;
            rates.Add(flows / seconds);
            log($"flows from {mapping.Client} via {mapping.External}: {r}/{repeat}: {rates[^1]:N0} flows/s ({arrived:N0} of {flows:N0} arrived, {fromWrong} from another address, {entries:N0} conntrack entries)");
        }
        await FlushAsync(router, ct);
        return new FlowRateResult(mapping, flows, Samples.Of(rates), lost, wrong, counted);
    }

    private static async Task FlushAsync(BenchRouter router, CancellationToken ct) => await router.ExecAsync("conntrack", ["-F"], ct: ct);

    /// <summary>One datagram per source port, back to back, on a dedicated thread; returns the loop's seconds.</summary>
    private static Task<double> SendAsync(Socket sender, IPAddress destination, int count, int firstPort)
    {
        var done = new TaskCompletionSource<double>(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                var address = new IPEndPoint(destination, 0).Serialize();
                var datagram = new byte[8 + PayloadBytes];
                BinaryPrimitives.WriteUInt16BigEndian(datagram.AsSpan(2), SinkPort);
                BinaryPrimitives.WriteUInt16BigEndian(datagram.AsSpan(4), (ushort)datagram.Length);
                // Checksum 0: none, which IPv4 allows for UDP.
                var started = Stopwatch.GetTimestamp();
                for (var i = 0; i < count; i++)
                {
                    BinaryPrimitives.WriteUInt16BigEndian(datagram.AsSpan(0), (ushort)(firstPort + i));
                    BinaryPrimitives.WriteInt32BigEndian(datagram.AsSpan(8), i);
                    sender.SendTo(datagram, SocketFlags.None, address);
                }
                done.SetResult(Stopwatch.GetElapsedTime(started).TotalSeconds);
            }
            catch (Exception e)
            {
                done.SetException(e);
            }
        })
        {
            IsBackground = true,
            Name = "flow sender",
        };
        thread.Start();
        return done.Task;
    }

    /// <summary>Reads everything queued at the sink until it stays quiet for a moment: how many came, and how many not from <paramref name="expected"/>.</summary>
    private static (long Arrived, long FromWrongSource) Drain(Socket sink, IPAddress expected)
    {
        var buffer = new byte[256];
        EndPoint from = new IPEndPoint(IPAddress.Any, 0);
        long arrived = 0, wrong = 0;
        while (sink.Poll(TimeSpan.FromMilliseconds(300), SelectMode.SelectRead))
        {
            sink.ReceiveFrom(buffer, ref from);
            arrived++;
            if (!((IPEndPoint)from).Address.Equals(expected)) wrong++;
        }
        return (arrived, wrong);
    }
}
