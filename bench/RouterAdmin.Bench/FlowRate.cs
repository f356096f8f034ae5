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
/// port), so each passes the nat postrouting hook once. <paramref name="FlowsPerSecond"/>: one figure per repetition, by
/// the wall clock; <paramref name="FlowsPerCpuSecond"/>: by the sending thread's CPU time, which carries the whole path
/// (see <see cref="FlowRate"/>) but not the time other processes on a shared machine took the core away.
/// </summary>
public sealed record FlowRateResult(
    MeasuredMapping Mapping,
    int FlowsPerRepetition,
    Samples FlowsPerSecond,
    Samples FlowsPerCpuSecond,
    long Lost,
    long FromWrongSource,
    long NewFlowsCounted,
    long ConntrackMax)
{
    /// <summary>The whole path of one new flow: the sender's syscall, two veth hops, forward, conntrack, nat, the sink's socket.</summary>
    public double MicrosecondsPerFlow => 1e6 / FlowsPerSecond.Median;

    public double CpuMicrosecondsPerFlow => 1e6 / FlowsPerCpuSecond.Median;
}

/// <summary>
/// The per-new-flow cost in the kernel. A raw UDP socket in the client namespace (the kernel adds the IP header; the
/// benchmark writes the UDP header with a new source port each time) sends to a UDP socket in the peer namespace;
/// veth delivers each datagram through the router in the sender's own softirq, so the send loop's time is the
/// path's; and as this kernel charges softirq work done in a task's context to that task (no
/// CONFIG_IRQ_TIME_ACCOUNTING), the sender thread's CPU time (CLOCK_THREAD_CPUTIME_ID) is the path's too, without the
/// time the thread waited for a core. The sink is read only after the loop (its buffer is forced big enough to hold every datagram), so reading
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

    /// <summary>
    /// Measures several routers' flows, repetition by repetition in turn (the order reversed every other round), so
    /// whatever else the machine does over the minutes of a run weighs on each of them alike: the figures are
    /// compared with each other, not with a run before. One result per target, in order.
    /// </summary>
    public static async Task<IReadOnlyList<FlowRateResult>> MeasureInterleavedAsync(IReadOnlyList<(BenchRouter Router, MeasuredMapping Mapping)> targets,
        int flows, int repeat, Action<string> log, CancellationToken ct)
    {
        if (flows > ushort.MaxValue - FirstSourcePort) throw new ArgumentOutOfRangeException(nameof(flows));
        var probes = new List<Probe>();
        try
        {
            foreach (var (router, mapping) in targets) probes.Add(await Probe.OpenAsync(router, mapping, flows, ct));
            for (var r = 1; r <= repeat; r++)
                foreach (var probe in r % 2 == 1 ? probes : Enumerable.Reverse(probes))
                {
                    await probe.MeasureOnceAsync(ct);
                    log($"flows from {probe.Mapping.Client} via {probe.Mapping.External}: {r}/{repeat}: {probe.LastLine}");
                }
            return probes.Select(p => p.Result()).ToArray();
        }
        finally
        {
            foreach (var probe in probes) probe.Dispose();
        }
    }

    /// <summary>One router's sender and sink, and the figures of its repetitions so far.</summary>
    private sealed class Probe : IDisposable
    {
        private readonly BenchRouter _router;
        private readonly Socket _sink;
        private readonly Socket _sender;
        private readonly int _flows;
        private readonly long _conntrackMax;
        private readonly List<double> _rates = [];
        private readonly List<double> _cpuRates = [];
        private long _lost, _wrong, _counted;

        private Probe(BenchRouter router, MeasuredMapping mapping, Socket sink, Socket sender, int flows, long conntrackMax) =>
            (_router, Mapping, _sink, _sender, _flows, _conntrackMax) = (router, mapping, sink, sender, flows, conntrackMax);

        public MeasuredMapping Mapping { get; }
        public string LastLine { get; private set; } = "";

        public static async Task<Probe> OpenAsync(BenchRouter router, MeasuredMapping mapping, int flows, CancellationToken ct)
        {
            await router.AddClientAddressAsync(mapping.Client, ct);
            var conntrackMax = await EnsureConntrackRoomAsync(router, flows);
            var sink = await Netns.OpenSocketAsync(router.PeerNamespace, AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            Socket? sender = null;
            try
            {
                // SO_RCVBUFFORCE (root) passes net.core.rmem_max: about 1 KiB of buffer per queued small datagram.
                sink.SetRawSocketOption(SolSocket, SoRcvBufForce, BitConverter.GetBytes(Math.Max(8 << 20, flows * 2048)));
                sink.Bind(new IPEndPoint(IPAddress.Any, SinkPort));
                sender = await Netns.OpenRawSocketAsync(router.ClientNamespace, (int)ProtocolType.Udp);
                sender.Bind(new IPEndPoint(mapping.Client, 0));

                // Neighbour entries on both hops, the JIT of the loop, and a first look that the path works at all.
                await FlushAsync(router, ct);
                await SendAsync(sender, mapping.Endpoint, 100, FirstSourcePort);
                var (warmArrived, warmWrong) = Drain(sink, mapping.External);
                if (warmArrived == 0)
                    throw new InvalidOperationException($"No datagram from {mapping.Client} reached {mapping.Endpoint}:{SinkPort} through the router.");
                if (warmWrong > 0)
                    throw new InvalidOperationException($"Datagrams from {mapping.Client} to {mapping.Endpoint} left from another address than {mapping.External}: is the mapping applied?");
                return new Probe(router, mapping, sink, sender, flows, conntrackMax);
            }
            catch
            {
                sink.Dispose();
                sender?.Dispose();
                throw;
            }
        }

        public async Task MeasureOnceAsync(CancellationToken ct)
        {
            await FlushAsync(_router, ct);
            var (seconds, cpuSeconds) = await SendAsync(_sender, Mapping.Endpoint, _flows, FirstSourcePort);
            var (arrived, fromWrong) = Drain(_sink, Mapping.External);
            var entries = long.Parse(await Netns.ReadSysctlAsync(_router.RouterNamespace, "net.netfilter.nf_conntrack_count"), System.Globalization.CultureInfo.InvariantCulture);
            await FlushAsync(_router, ct);
            _lost += _flows - arrived;
            _wrong += fromWrong;
            _counted += entries;
            _rates.Add(_flows / seconds);
            _cpuRates.Add(_flows / cpuSeconds);
            LastLine = $"{_rates[^1]:N0} flows/s, {_cpuRates[^1]:N0} per CPU-second ({arrived:N0} of {_flows:N0} arrived, {fromWrong} from another address, {entries:N0} conntrack entries)";
        }

        public FlowRateResult Result() => new(Mapping, _flows, Samples.Of(_rates), Samples.Of(_cpuRates), _lost, _wrong, _counted, _conntrackMax);

        public void Dispose()
        {
            _sink.Dispose();
            _sender.Dispose();
        }
    }

    /// <summary>
    /// Room for every flow of a repetition and then some: a full table drops new flows instead of slowing them. On
    /// recent kernels nf_conntrack_max is one global limit, read-only inside a namespace; the benchmark does not
    /// change the host's, it checks that it is big enough (and raises the namespace's own where a kernel has one).
    /// </summary>
    private static async Task<long> EnsureConntrackRoomAsync(BenchRouter router, int flows)
    {
        const string key = "net.netfilter.nf_conntrack_max";
        var wanted = 4L * flows;
        var current = long.Parse(await Netns.ReadSysctlAsync(router.RouterNamespace, key), System.Globalization.CultureInfo.InvariantCulture);
        if (current >= wanted) return current;
        try
        {
            await Netns.WriteSysctlAsync(router.RouterNamespace, key, wanted.ToString(System.Globalization.CultureInfo.InvariantCulture));
            return wanted;
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            throw new InvalidOperationException($"{key} is {current:N0}, under the {wanted:N0} a run of {flows:N0} flows needs, and cannot be raised in the router's namespace; raise it on the host or use --flows {current / 4}.");
        }
    }

    private static async Task FlushAsync(BenchRouter router, CancellationToken ct) => await router.ExecAsync("conntrack", ["-F"], ct: ct);

    /// <summary>One datagram per source port, back to back, on a dedicated thread; returns the loop's wall and CPU seconds.</summary>
    private static Task<(double Seconds, double CpuSeconds)> SendAsync(Socket sender, IPAddress destination, int count, int firstPort)
    {
        var done = new TaskCompletionSource<(double, double)>(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                var address = new IPEndPoint(destination, 0).Serialize();
                var datagram = new byte[8 + PayloadBytes];
                BinaryPrimitives.WriteUInt16BigEndian(datagram.AsSpan(2), SinkPort);
                BinaryPrimitives.WriteUInt16BigEndian(datagram.AsSpan(4), (ushort)datagram.Length);
                // Checksum 0: none, which IPv4 allows for UDP.
                var cpuStarted = ThreadCpu.Seconds();
                var started = Stopwatch.GetTimestamp();
                for (var i = 0; i < count; i++)
                {
                    BinaryPrimitives.WriteUInt16BigEndian(datagram.AsSpan(0), (ushort)(firstPort + i));
                    BinaryPrimitives.WriteInt32BigEndian(datagram.AsSpan(8), i);
                    sender.SendTo(datagram, SocketFlags.None, address);
                }
                var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
                done.SetResult((seconds, ThreadCpu.Seconds() - cpuStarted));
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
