using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using RouterAdmin.Detection;
using RouterAdmin.Firewall.Backends.Nftables;
using RouterAdmin.Inventory;

namespace RouterAdmin.Bench;

/// <summary>Which ESP packets a loop sends (see <see cref="WatchCost"/>).</summary>
public enum EspCase
{
    /// <summary>A live tunnel's packets: its conntrack entry has seen the server's answer, so the watch's <c>ct state new</c> test fails.</summary>
    Established,

    /// <summary>A second LAN host's packets to the same server through the masquerade address: never confirmed, each one counted by the watch.</summary>
    Colliding,
}

/// <summary>One send loop of <see cref="Packets"/> ESP packets and what the router did with them.</summary>
/// <param name="Arrived">ESP packets the VPN side received during the loop (any source).</param>
/// <param name="ArrivedAsExpected">Of those, the loop's own packets from the address they must leave from.</param>
/// <param name="InsertFailed">Growth of conntrack's insert_failed (all CPUs) during the loop.</param>
/// <param name="Counted">Growth of the watch set's counter for the loop's (host, server), with the watch on.</param>
/// <param name="KsoftirqdMs">CPU time the machine's ksoftirqd threads got during the loop.</param>
public sealed record EspLoop(EspCase Case, bool WatchOn, int Packets, double WallSeconds, double CpuSeconds, long Arrived, long ArrivedAsExpected,
    long InsertFailed, long Counted, int EspEntries, double KsoftirqdMs)
{
    public double CpuNsPerPacket => CpuSeconds * 1e9 / Packets;
    public double PacketsPerCpuSecond => Packets / CpuSeconds;
    public double PacketsPerSecond => Packets / WallSeconds;
}

/// <summary>One case on one backend: the loops with the watch off and on, pair i measured in repetition i.</summary>
public sealed record EspCaseResult(EspCase Case, IReadOnlyList<EspLoop> Off, IReadOnlyList<EspLoop> On)
{
    public Samples OffNs => Samples.Of(Off.Select(l => l.CpuNsPerPacket));
    public Samples OnNs => Samples.Of(On.Select(l => l.CpuNsPerPacket));
    public double DeltaNs => OnNs.Median - OffNs.Median;

    /// <summary>On minus off within each repetition: the two were measured a second apart, so slow drift cancels.</summary>
    public Samples PairedDeltaNs => Samples.Of(Off.Zip(On, (off, on) => on.CpuNsPerPacket - off.CpuNsPerPacket));

    public Samples OffRate => Samples.Of(Off.Select(l => l.PacketsPerCpuSecond));
    public Samples OnRate => Samples.Of(On.Select(l => l.PacketsPerCpuSecond));
    public Samples OffWallRate => Samples.Of(Off.Select(l => l.PacketsPerSecond));
    public Samples OnWallRate => Samples.Of(On.Select(l => l.PacketsPerSecond));
    public IEnumerable<EspLoop> Loops => Off.Concat(On);
}

/// <summary>From a colliding flow's first packet to the watcher's report naming its host as dropped.</summary>
public sealed record WatchLatency(TimeSpan CheckInterval, Samples Milliseconds, Samples CheckMilliseconds);

public sealed record WatchBackendResult(string Backend, string BackendName, IReadOnlyList<EspCaseResult> Cases, WatchLatency? Latency, string InstalledChain)
{
    public EspCaseResult Of(EspCase c) => Cases.Single(r => r.Case == c);
}

public sealed record WatchResult(int Packets, int Repeat, IReadOnlyList<WatchBackendResult> Backends, TimeSpan Duration, string LoadAtStart, string LoadAtEnd);

/// <summary>
/// The per-packet cost of the VPN watch (issue 13) on an ESP stream, off against on, on each real backend. A bench
/// router of its own per backend; RouterAdmin's console on it with one client (its own external address, bound on
/// the WAN by RouterAdmin, towards one VPN server) and the watch turned on and off exactly as an administrator does
/// it (the setting, then preview and apply through ApplyEngine, so WatchingBackend installs NftVpnWatch's table).
/// Two kinds of packets are sent from a raw socket in the client namespace, timed by the sender thread's CPU time
/// (veth carries each packet through the router in the sender's softirq; see <see cref="FlowRate"/>):
/// <list type="bullet">
/// <item><see cref="EspCase.Established"/>: the assigned client's tunnel, whose entry has seen one packet back from
/// the server: every packet reaches the server from the client's external address and nothing new enters conntrack.</item>
/// <item><see cref="EspCase.Colliding"/>: a host with no address of its own, behind another host that already holds the
/// masquerade address's only ESP entry to the server: every packet gets a new conntrack entry that fails to insert
/// (insert_failed grows by one per packet), none arrives, and with the watch on each one updates the watch's set.</item>
/// </list>
/// Off and on alternate within each repetition (off first in odd ones, on first in even ones), so drift on a shared
/// machine lands on both; every loop is checked as above. Optionally, the detection latency: the product's watcher
/// checked on the product's interval, as its background service does, and a new colliding host started at evenly
/// spread moments of that cycle.
/// </summary>
public sealed partial class WatchCost(BenchOptions options, Action<string> log)
{
    private static readonly IPNetwork Lan = IPNetwork.Parse(BenchRouter.LanSubnet);
    private static readonly IPAddress Server = BenchInventory.EndpointAddressOf(0);
    private static readonly IPAddress External = BenchInventory.ExternalAddressOf(0);
    private static readonly IPAddress Masquerade = IPAddress.Parse(BenchRouter.WanAddress.Split('/')[0]);
    private static readonly IPAddress TunnelHost = IPAddress.Parse("10.0.1.10");
    private static readonly IPAddress HolderHost = IPAddress.Parse("10.0.2.10");
    private static readonly IPAddress CollidingHost = IPAddress.Parse("10.0.2.11");
    private const uint TunnelSpi = 0x1000_0001;
    private const uint ReplySpi = 0x2000_0001;
    private const uint HolderSpi = 0x1000_0002;
    private const uint CollidingSpi = 0x1000_0003;

    /// <summary>A packet in flight is delivered within the sender's syscall; this only ends the sink's read.</summary>
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(100);

    /// <summary>A tunnel's pace for the latency measurement (EspFlow's default in the lab tests).</summary>
    private static readonly TimeSpan TunnelInterval = TimeSpan.FromMilliseconds(20);

    public async Task<WatchResult> RunAsync(CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        var loadAtStart = MachineInfo.LoadAverage();
        var results = new List<WatchBackendResult>();
        foreach (var backend in options.Backends)
            results.Add(await MeasureAsync(backend, ct));
        return new WatchResult(options.EspPackets, options.EspRepeat, results, Stopwatch.GetElapsedTime(started), loadAtStart, MachineInfo.LoadAverage());
    }

    /// <summary>The sockets and flows of one backend's run.</summary>
    private sealed class Rig(BenchRouter router, TestConsole console, Socket sink, Socket tunnel, Socket holder, Socket colliding) : IDisposable
    {
        private readonly Dictionary<uint, uint> _sequences = [];

        public BenchRouter Router => router;
        public TestConsole Console => console;
        public Socket Sink => sink;
        public Socket Tunnel => tunnel;
        public Socket Holder => holder;
        public Socket Colliding => colliding;
        public bool WatchOn { get; set; }

        /// <summary>The first sequence number of the next <paramref name="count"/> packets of <paramref name="spi"/> (1, 2, … as a tunnel counts).</summary>
        public uint Take(uint spi, int count)
        {
            var first = _sequences.GetValueOrDefault(spi) + 1;
            _sequences[spi] = first + (uint)count - 1;
            return first;
        }

        public void Dispose()
        {
            sink.Dispose();
            tunnel.Dispose();
            holder.Dispose();
            colliding.Dispose();
        }
    }

    private async Task<WatchBackendResult> MeasureAsync(string backend, CancellationToken ct)
    {
        // A router of its own: no conntrack entry, bound address or table of another backend's run is in its figures.
        await using var router = await BenchRouter.CreateAsync(ct);
        await using var console = await BenchInventory.StartConsoleAsync(router.RouterNamespace, backend);
        var name = backend.ToLowerInvariant();
        log($"watch, {name}: bench router {router.RouterNamespace}");
        await SeedAsync(console, ct);
        var (first, _) = await SizeBenchmark.CycleAsync(console, ct);
        if (first.AddressesToAdd.Count != 1)
            throw new InvalidOperationException($"The first apply should bind {External} on {BenchRouter.WanInterface}, not {first.AddressesToAdd.Count} address(es).");

        foreach (var host in new[] { TunnelHost, HolderHost, CollidingHost })
            await router.AddClientAddressAsync(host, ct);
        using var rig = new Rig(router, console,
            await EspStream.OpenSinkAsync(router.PeerNamespace, options.EspPackets),
            await EspStream.OpenSenderAsync(router.ClientNamespace, TunnelHost),
            await EspStream.OpenSenderAsync(router.ClientNamespace, HolderHost),
            await EspStream.OpenSenderAsync(router.ClientNamespace, CollidingHost));
        await SetUpFlowsAsync(rig, ct);
        log($"watch, {name}: {TunnelHost} → {Server} leaves as {External} and has seen the server's answer; {HolderHost} holds {Masquerade}'s ESP entry to it; {CollidingHost}'s packets fail to insert");

        // The kernel's caches, the loop's JIT and the watch's first install, on both sides, before anything counts.
        var warmUp = Math.Max(1_000, options.EspPackets / 10);
        var chain = "";
        foreach (var on in new[] { false, true, false })
        {
            await SetWatchAsync(rig, on, ct);
            if (on) chain = await router.ExecAsync("nft", ["list", "chain", "ip", NftVpnWatch.Table, NftVpnWatch.Chain], ct: ct);
            foreach (var c in Enum.GetValues<EspCase>()) await LoopAsync(rig, c, warmUp, ct);
        }
        log($"watch, {name}: warm-up done");

        var loops = new List<EspLoop>();
        for (var r = 1; r <= options.EspRepeat; r++)
        {
            foreach (var on in r % 2 == 1 ? new[] { false, true } : [true, false])
            {
                await SetWatchAsync(rig, on, ct);
                foreach (var c in Enum.GetValues<EspCase>())
                {
                    var loop = await LoopAsync(rig, c, options.EspPackets, ct);
                    loops.Add(loop);
                    log($"watch, {name}: {r}/{options.EspRepeat} {c.ToString().ToLowerInvariant()}, watch {(on ? "on " : "off")}: {loop.CpuNsPerPacket:N0} ns CPU per packet, {loop.PacketsPerSecond:N0} packets/s wall clock "
                        + $"({loop.ArrivedAsExpected:N0} arrived as expected, insert_failed +{loop.InsertFailed:N0}, counted +{loop.Counted:N0}, ksoftirqd {loop.KsoftirqdMs:N0} ms)");
                }
            }
        }
        var cases = Enum.GetValues<EspCase>()
            .Select(c => new EspCaseResult(c, [.. loops.Where(l => l.Case == c && !l.WatchOn)], [.. loops.Where(l => l.Case == c && l.WatchOn)]))
            .ToArray();
        foreach (var c in cases)
            log($"watch, {name}: {c.Case.ToString().ToLowerInvariant()}: off {c.OffNs.Median:N0} ns, on {c.OnNs.Median:N0} ns per packet (median), on − off {c.DeltaNs:+0;−0} ns; paired {c.PairedDeltaNs.Min:+0;−0}…{c.PairedDeltaNs.Max:+0;−0} ns");

        var latency = options.WatchLatencyRepeat > 0 ? await LatencyAsync(rig, name, ct) : null;
        return new WatchBackendResult(backend, console.Backend.Name, cases, latency, chain.Trim());
    }

    /// <summary>
    /// Through the console's services, as an administrator would enter it: the LAN behind "wan", one VPN server, one
    /// external address RouterAdmin binds on the WAN, one client given that address towards the server. The two
    /// colliding hosts are not in the inventory: they are the VPN users the watch exists to find.
    /// </summary>
    private static async Task SeedAsync(TestConsole console, CancellationToken ct)
    {
        var admin = BenchInventory.Admin;
        await console.Settings.UpdateAsync(new SettingsDraft { WanInterface = BenchRouter.WanInterface, LanSubnet = BenchRouter.LanSubnet }, admin, ct);
        var endpoint = await console.Endpoints.CreateAsync(new EndpointDraft { Name = "vpn", Destination = Server.ToString() }, admin, ct);
        await console.Addresses.CreateAsync(new ExternalAddressDraft { Address = External.ToString(), Interface = BenchRouter.WanInterface, PrefixLength = 24, BindOnWan = true }, admin, ct);
        var client = await console.Clients.CreateAsync(new ClientDraft { Name = "tunnel", LanAddress = TunnelHost.ToString() }, admin, ct);
        await console.Assignments.AssignFreeAsync(client, endpoint, admin, ct);
    }

    /// <summary>
    /// The three flows, each proved on the wire: the tunnel reaches the server from its external address and gets one
    /// packet back (so its entry is no longer UNREPLIED); the holder reaches it from the masquerade address; the
    /// colliding host's first packet does not arrive and counts as an insert failure.
    /// </summary>
    private static async Task SetUpFlowsAsync(Rig rig, CancellationToken ct)
    {
        await rig.Router.ExecAsync("conntrack", ["-F"], ct: ct);

        EspStream.SendOne(rig.Tunnel, Server, TunnelSpi, rig.Take(TunnelSpi, 1));
        Expect(EspStream.Drain(rig.Sink, TunnelSpi, External, Quiet), 1, $"{TunnelHost}'s first packet, from {External}: is the mapping applied?");
        // The server's answer: a raw socket bound to the server's address, closed at once so it receives none of the stream.
        using (var server = await EspStream.OpenSenderAsync(rig.Router.PeerNamespace, Server))
            EspStream.SendOne(server, External, ReplySpi, 1);
        Expect(EspStream.Drain(rig.Tunnel, ReplySpi, Server, Quiet), 1, $"the server's answer, back at {TunnelHost}");
        var entry = await rig.Router.ExecAsync("conntrack", ["-L", "-p", "50", "-s", TunnelHost.ToString()], ct: ct);
        if (entry.Contains("UNREPLIED", StringComparison.Ordinal) || !entry.Contains($"dst={External}", StringComparison.Ordinal))
            throw new InvalidOperationException($"{TunnelHost}'s conntrack entry should be answered and translated to {External}: {entry.Trim()}");

        EspStream.SendOne(rig.Holder, Server, HolderSpi, rig.Take(HolderSpi, 1));
        Expect(EspStream.Drain(rig.Sink, HolderSpi, Masquerade, Quiet), 1, $"{HolderHost}'s first packet, from the masquerade address {Masquerade}");

        var failed = await InsertFailedAsync(rig.Router, ct);
        EspStream.SendOne(rig.Colliding, Server, CollidingSpi, rig.Take(CollidingSpi, 1));
        var (arrived, _) = EspStream.Drain(rig.Sink, CollidingSpi, Masquerade, Quiet);
        if (arrived != 0 || await InsertFailedAsync(rig.Router, ct) != failed + 1)
            throw new InvalidOperationException($"{CollidingHost}'s packet should collide with {HolderHost}'s entry and be dropped (insert_failed +1); {arrived} arrived.");
    }

    private static void Expect((long Arrived, long Expected) drained, long count, string what)
    {
        if (drained.Arrived != count || drained.Expected != count)
            throw new InvalidOperationException($"Expected {count} packet(s): {what}; {drained.Arrived} arrived, {drained.Expected} as expected.");
    }

    /// <summary>The setting, then preview and apply through the engine: WatchingBackend installs or removes NftVpnWatch's table.</summary>
    private static async Task SetWatchAsync(Rig rig, bool on, CancellationToken ct)
    {
        if (rig.WatchOn == on) return;
        var console = rig.Console;
        var draft = SettingsDraft.From(await console.Settings.GetAsync(ct));
        draft.WatchVpnUsers = on;
        await console.Settings.UpdateAsync(draft, BenchInventory.Admin, ct);
        var (preview, _) = await SizeBenchmark.CycleAsync(console, ct);
        if (!preview.RulesChange || preview.FlowsToReset.Count != 0 || !preview.Transaction.Contains("VPN watch", StringComparison.Ordinal))
            throw new InvalidOperationException($"Turning the watch {(on ? "on" : "off")} should change only the watch table: {preview.Transaction}");
        var state = await console.Get<NftVpnWatch>().ReadStateAsync(ct);
        if (on ? !state.Holds(Lan) : !state.IsAbsent)
            throw new InvalidOperationException($"After turning the watch {(on ? "on" : "off")} the router's watch table reads as {state}.");
        rig.WatchOn = on;
    }

    private static async Task<EspLoop> LoopAsync(Rig rig, EspCase c, int packets, CancellationToken ct)
    {
        var (sender, host, spi, source) = c == EspCase.Established
            ? (rig.Tunnel, TunnelHost, TunnelSpi, External)
            : (rig.Colliding, CollidingHost, CollidingSpi, Masquerade);
        var console = rig.Console;
        var entries = await EspEntriesAsync(console, ct);
        var failed = await InsertFailedAsync(rig.Router, ct);
        var counted = rig.WatchOn ? await CountedAsync(console, host, ct) : 0;

        var softirq = Ksoftirqd.Milliseconds();
        var (seconds, cpuSeconds) = await EspStream.SendAsync(sender, Server, spi, rig.Take(spi, packets), packets);
        softirq = Ksoftirqd.Milliseconds() - softirq;

        var (arrived, expected) = EspStream.Drain(rig.Sink, spi, source, Quiet);
        var loop = new EspLoop(c, rig.WatchOn, packets, seconds, cpuSeconds, arrived, expected,
            await InsertFailedAsync(rig.Router, ct) - failed,
            rig.WatchOn ? await CountedAsync(console, host, ct) - counted : 0,
            await EspEntriesAsync(console, ct), softirq);

        // What each case claims, checked on every loop: where the packets went, conntrack, and the watch's set.
        var wanted = c == EspCase.Established
            ? (Arrived: (long)packets, Failed: 0L, Counted: 0L)
            : (Arrived: 0L, Failed: packets, Counted: rig.WatchOn ? packets : 0L);
        if (loop.Arrived != wanted.Arrived || loop.ArrivedAsExpected != wanted.Arrived || loop.InsertFailed != wanted.Failed
            || loop.Counted != wanted.Counted || loop.EspEntries != entries)
            throw new InvalidOperationException($"{c} ESP with the watch {(rig.WatchOn ? "on" : "off")}: {packets:N0} sent, {arrived:N0} arrived ({expected:N0} from {source}), "
                + $"insert_failed +{loop.InsertFailed:N0}, counted +{loop.Counted:N0}, ESP conntrack entries {entries} → {loop.EspEntries}; wanted {wanted.Arrived:N0} arrived, "
                + $"insert_failed +{wanted.Failed:N0}, counted +{wanted.Counted:N0}, entries unchanged.");
        return loop;
    }

    private static async Task<int> EspEntriesAsync(TestConsole console, CancellationToken ct) =>
        (await console.Backend.ListFlowsAsync(ct)).Count(e => e.IsEsp);

    /// <summary>The watch's count for (host, server), read by the product's own reader of the set.</summary>
    private static async Task<long> CountedAsync(TestConsole console, IPAddress host, CancellationToken ct) =>
        (await console.Get<NftVpnWatch>().ReadAsync(ct)).FirstOrDefault(f => f.LanHost.Equals(host) && f.Server.Equals(Server))?.UnconfirmedPackets ?? 0;

    /// <summary>insert_failed summed over the CPUs of <c>conntrack -S</c> in the router.</summary>
    private static async Task<long> InsertFailedAsync(BenchRouter router, CancellationToken ct) =>
        InsertFailedCounter().Matches(await router.ExecAsync("conntrack", ["-S"], ct: ct)).Sum(m => long.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));

    [GeneratedRegex(@"\binsert_failed=(\d+)")]
    private static partial Regex InsertFailedCounter();

    /// <summary>
    /// The product's watcher, checked as VpnWatchService checks it (a PeriodicTimer on RouterAdmin:Detection:CheckInterval,
    /// the setting read at every tick), while new colliding hosts start a tunnel one after another. Each starts at a
    /// different moment of the check cycle (spread evenly over it, counted from the check before), so the figures cover
    /// the cycle rather than one phase of it; the latency runs from its first packet to the check that names it dropped.
    /// </summary>
    private async Task<WatchLatency> LatencyAsync(Rig rig, string name, CancellationToken ct)
    {
        await SetWatchAsync(rig, true, ct);
        var console = rig.Console;
        var interval = console.Get<IOptions<DetectionOptions>>().Value.CheckInterval;
        if (interval <= TimeSpan.Zero) throw new InvalidOperationException($"{DetectionOptions.Section}:CheckInterval is off: there is no check to wait for.");
        var watcher = console.Get<VpnUserWatcher>();
        var repeat = options.WatchLatencyRepeat;

        var checks = new List<double>();
        TaskCompletionSource checkDone = new(TaskCreationOptions.RunContinuationsAsynchronously);
        (IPAddress Host, TaskCompletionSource<long> Named)? waiting = null;
        var gate = new Lock();
        void OnChecked(VpnUserReport report)
        {
            var at = Stopwatch.GetTimestamp();
            lock (gate)
            {
                checks.Add(report.CheckDuration.TotalMilliseconds);
                if (waiting is { } w && report.Dropped.Any(u => u.Flow.LanHost.Equals(w.Host) && u.Flow.Server.Equals(Server)))
                    w.Named.TrySetResult(at);
                checkDone.TrySetResult();
                checkDone = new(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }

        var latencies = new List<double>();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        watcher.Checked += OnChecked;
        var service = CheckLoopAsync(console, watcher, interval, stop.Token);
        try
        {
            for (var i = 0; i < repeat; i++)
            {
                var host = IPAddress.Parse($"10.0.3.{10 + i}");
                var spi = 0x1000_0100u + (uint)i;
                await rig.Router.AddClientAddressAsync(host, ct);
                using var sender = await EspStream.OpenSenderAsync(rig.Router.ClientNamespace, host);
                Task next;
                lock (gate) next = checkDone.Task;
                await next.WaitAsync(interval * 2 + TimeSpan.FromSeconds(10), ct);
                await Task.Delay(interval * ((i + 0.5) / repeat), ct);

                var named = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
                lock (gate) waiting = (host, named);
                using var tunnelStop = CancellationTokenSource.CreateLinkedTokenSource(ct);
                var started = Stopwatch.GetTimestamp();
                var tunnel = TunnelAsync(sender, spi, tunnelStop.Token);
                var at = await named.Task.WaitAsync(interval * 3 + TimeSpan.FromSeconds(10), ct);
                await tunnelStop.CancelAsync();
                await tunnel;
                lock (gate) waiting = null;
                latencies.Add(Timing.Milliseconds(started, at));
                log($"watch, {name}: detection {i + 1}/{repeat}: {host} named dropped {latencies[^1]:N0} ms after its first packet (check interval {interval.TotalSeconds:0.#} s)");
            }
        }
        finally
        {
            await stop.CancelAsync();
            try { await service; } catch (OperationCanceledException) { }
            watcher.Checked -= OnChecked;
        }
        lock (gate) return new WatchLatency(interval, Samples.Of(latencies), Samples.Of(checks));
    }

    /// <summary>What VpnWatchService.ExecuteAsync does with the watcher (the service itself is the console's own, internal).</summary>
    private static async Task CheckLoopAsync(TestConsole console, VpnUserWatcher watcher, TimeSpan interval, CancellationToken ct)
    {
        using var timer = new PeriodicTimer(interval, console.Get<TimeProvider>());
        while (await timer.WaitForNextTickAsync(ct))
        {
            if (!(await console.Settings.GetAsync(ct)).WatchVpnUsers) continue;
            await watcher.CheckAsync(ct);
        }
    }

    /// <summary>A tunnel's pace: one packet now, then one every <see cref="TunnelInterval"/> until stopped.</summary>
    private static async Task TunnelAsync(Socket sender, uint spi, CancellationToken ct)
    {
        using var timer = new PeriodicTimer(TunnelInterval);
        var sequence = 0u;
        try
        {
            do EspStream.SendOne(sender, Server, spi, ++sequence);
            while (await timer.WaitForNextTickAsync(ct));
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }
}
