using System.Diagnostics;
using System.Net;
using Microsoft.EntityFrameworkCore;
using RouterAdmin.Firewall.Apply;
using RouterAdmin.Firewall.Backends;
using RouterAdmin.Firewall.Backends.Iptables;
using RouterAdmin.Firewall.Backends.Nftables;
using RouterAdmin.Firewall.Model;
using RouterAdmin.Firewall.Planning;

namespace RouterAdmin.Bench;

/// <summary>
/// Both real backends side by side in one run, on the same bench router and the same inventory: for each size, the
/// first apply from an empty router against a bare run of the backend's own transaction text, one client reassigned
/// on top of N mappings (the whole cycle as the engine runs it, step by step), the pieces that cycle is made of,
/// memory and database growth over a series of such applies, and new flows per second through the router from the
/// client whose mapping is the last one.
/// </summary>
public sealed class BackendComparison(BenchRouter router, BenchOptions options, Action<string> log)
{
    public static readonly IReadOnlyList<string> Backends = ["Iptables", "Nftables"];
    private static readonly FlowKey UnusedFlow = new(IPNetwork.Parse("10.0.250.1/32"), IPNetwork.Parse("198.51.100.250/32"));

    /// <summary>The sizes new flows are measured at: the smallest and the largest measured (10 and 10,000 by default).</summary>
    public IReadOnlyList<int> FlowSizes => options.Flows == 0 ? [] : options.Sizes.Count == 1 ? [options.Sizes[0]] : [options.Sizes[0], options.Sizes[^1]];

    public async Task<IReadOnlyList<BackendResult>> RunAsync(CancellationToken ct)
    {
        var results = new List<BackendResult>();
        if (!options.FlowsOnly)
        {
            // JIT and EF Core's first queries for both backends' paths, so the first size is not measured cold.
            foreach (var backend in options.Backends)
                await MeasureAsync(backend, 10, options with { Repeat = 1, GrowthApplies = 1 }, _ => { }, ct);
            log("side by side: warm-up done");
            foreach (var size in options.Sizes)
            foreach (var backend in options.Backends)
                results.Add(await MeasureAsync(backend, size, options, log, ct));
            // What interval keys cost: the largest size again with one endpoint a network.
            if (MeasuresIntervalMap)
                results.Add(await MeasureAsync(Nftables, options.Sizes[^1], options, log, ct, interval: true));
        }
        if (options.Flows > 0)
            foreach (var backend in options.Backends)
                foreach (var (size, interval, flows, apply) in await FlowsAsync(backend, ct))
                {
                    var at = results.FindIndex(r => r.Backend == backend && r.Size == size && r.Interval == interval);
                    if (at >= 0) results[at] = results[at] with { Flows = flows };
                    else results.Add(new BackendResult(backend, size, [apply], Samples.Of([]), BareCommand(backend), 0, [], [], null, flows) { Interval = interval });
                }
        return results;
    }

    private const string Nftables = "Nftables";

    /// <summary>With nftables among the backends, the largest size is measured again as an interval map.</summary>
    private bool MeasuresIntervalMap => options.Backends.Contains(Nftables) && options.Sizes.Count > 0;

    private async Task<BackendResult> MeasureAsync(string backend, int size, BenchOptions options, Action<string> log, CancellationToken ct, bool interval = false)
    {
        await router.ResetAsync(ct);
        await using var console = await BenchInventory.StartConsoleAsync(router.RouterNamespace, backend);
        var seeded = await console.SeedAsync(size, ct, networkEndpoint: interval);
        var name = $"{backend} N={size:N0}{(interval ? " (interval map)" : "")}";

        // Empty → N, as a router's first apply; the router is put back to empty before each (not timed).
        var fullApplies = new List<CycleRun>();
        string? transaction = null;
        for (var r = 1; r <= options.Repeat; r++)
        {
            await router.ResetAsync(ct);
            var (preview, run) = await SizeBenchmark.CycleAsync(console, ct);
            transaction ??= preview.Transaction;
            if (preview.Transaction != transaction)
                throw new InvalidOperationException("Two applies from the same empty router planned different transactions.");
            fullApplies.Add(run);
            log($"{name}: full apply {r}: {run.TotalMs:N0} ms (preview {run.PreviewMs:N0}); " + string.Join(", ", run.Steps.Select(s => $"{s.Key} {s.Value:N1}")));
        }
        await EnsureMappingsAsync(console, router, size, "the full apply", ct);

        var bare = await BareTransactionAsync(console, transaction!, size, name, ct);
        await EnsureMappingsAsync(console, router, size, "the bare transaction", ct);

        // The everyday change: one client moved to another address on top of N mappings. The first is warm-up
        // (the JIT of the small-change path); it is measured, not reported.
        var smallChanges = new List<CycleRun>();
        var moves = 0;
        for (var r = 0; r <= options.Repeat; r++)
        {
            await MoveAsync(console, seeded, moves++, ct);
            var (preview, run) = await SizeBenchmark.CycleAsync(console, ct);
            if (preview.FlowsToReset.Count != 1)
                throw new InvalidOperationException($"Reassigning one client should reset one flow, not {preview.FlowsToReset.Count}.");
            if (r > 0) smallChanges.Add(run);
            log($"{name}: 1-client change {r}/{options.Repeat}: {run.TotalMs:N1} ms (preview {run.PreviewMs:N1}); "
                + string.Join(", ", run.Steps.Select(s => $"{s.Key} {s.Value:N1}")));
        }
        await EnsureMappingsAsync(console, router, size, "the small changes", ct);
        var pieces = await ProfilePiecesAsync(console, name, ct);
        var growth = await GrowthAsync(console, seeded, () => moves++, name, options.GrowthApplies, ct);

        if (interval && !transaction!.Contains("flags interval", StringComparison.Ordinal))
            throw new InvalidOperationException("With a network endpoint the map should have interval keys.");
        return new BackendResult(backend, size, fullApplies, bare, BareCommand(backend), System.Text.Encoding.UTF8.GetByteCount(transaction!),
            smallChanges, pieces, growth, null) { Interval = interval };
    }

    /// <summary>
    /// New flows per second from the client of the last mapping, at each of <see cref="FlowSizes"/>: a router of its
    /// own per size (fresh namespaces, the inventory applied once), all measured in turn, repetition by repetition, so
    /// the sizes are compared under the same conditions rather than minutes apart.
    /// </summary>
    private async Task<IReadOnlyList<(int Size, bool Interval, FlowRateResult Flows, CycleRun Apply)>> FlowsAsync(string backend, CancellationToken ct)
    {
        var routers = new List<BenchRouter>();
        var consoles = new List<TestConsole>();
        try
        {
            // With nftables the largest size also as an interval map (one endpoint a network), in the same rounds.
            (int Size, bool Interval)[] cases =
                [.. FlowSizes.Select(size => (size, false)), .. backend == Nftables && FlowSizes.Count > 0 ? [(FlowSizes[^1], true)] : Array.Empty<(int, bool)>()];
            var targets = new List<(BenchRouter, MeasuredMapping)>();
            var applies = new List<CycleRun>();
            foreach (var (size, interval) in cases)
            {
                var flowRouter = await BenchRouter.CreateAsync(ct);
                routers.Add(flowRouter);
                var console = await BenchInventory.StartConsoleAsync(flowRouter.RouterNamespace, backend);
                consoles.Add(console);
                await console.SeedAsync(size, ct, networkEndpoint: interval);
                var (_, apply) = await SizeBenchmark.CycleAsync(console, ct);
                await EnsureMappingsAsync(console, flowRouter, size, "the apply before the flows", ct);
                var mapping = await LastMappingAsync(console, flowRouter, ct);
                log($"{backend} N={size:N0}{(interval ? " (interval map)" : "")}: new flows through router {flowRouter.RouterNamespace} from {mapping.Client} to {mapping.Endpoint} (the last mapping, via {mapping.External})");
                targets.Add((flowRouter, mapping));
                applies.Add(apply);
            }
            var measured = await FlowRate.MeasureInterleavedAsync(targets, options.Flows, options.FlowRepeat, m => log($"{backend}: {m}"), ct);
            for (var i = 0; i < measured.Count; i++)
                log($"{backend} N={cases[i].Size:N0}{(cases[i].Interval ? " (interval map)" : "")}: {measured[i].FlowsPerSecond.Median:N0} flows/s median ({measured[i].MicrosecondsPerFlow:N1} µs per flow)");
            return cases.Select((c, i) => (c.Size, c.Interval, measured[i], applies[i])).ToArray();
        }
        finally
        {
            foreach (var console in consoles) await console.DisposeAsync();
            foreach (var flowRouter in routers) await flowRouter.DisposeAsync();
        }
    }

    public static string BareCommand(string backend) => backend == "Nftables" ? "nft -f -" : "iptables-restore --noflush";

    /// <summary>Moves the first client between its own address and the spare one, so every apply is a real change (not timed).</summary>
    private static Task MoveAsync(TestConsole console, SeededInventory seeded, int move, CancellationToken ct) =>
        console.Assignments.ReassignAsync(seeded.MovingAssignmentId, move % 2 == 0 ? seeded.SpareAddressId : seeded.OriginalAddressId, BenchInventory.Admin, ct);

    /// <summary>
    /// The engine's own transaction text for empty → N (the preview's <c>Transaction</c>), fed to the same tool
    /// through <c>ip netns exec</c> and CliWrap with nothing around it, on the same empty router.
    /// </summary>
    private async Task<Samples> BareTransactionAsync(TestConsole console, string transaction, int size, string name, CancellationToken ct)
    {
        var times = new List<double>();
        var (tool, arguments) = IsNftables(console) ? ("nft", new[] { "-f", "-" }) : ("iptables-restore", new[] { "--noflush" });
        for (var r = 1; r <= options.Repeat; r++)
        {
            await router.ResetAsync(ct);
            times.Add((await Timing.TimeAsync(() => router.ExecAsync(tool, arguments, transaction, ct))).Milliseconds);
            log($"{name}: bare {tool} {r}/{options.Repeat}: {times[^1]:N1} ms");
        }
        return Samples.Of(times);
    }

    /// <summary>
    /// The pieces of the small change called directly on the router as it is (nothing changes): the read, its
    /// process and its parse, planning, the diff, a verify, one conntrack lookup.
    /// </summary>
    private async Task<IReadOnlyList<Piece>> ProfilePiecesAsync(TestConsole console, string name, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        var names = new List<string>();
        var values = new Dictionary<string, List<double>>();
        void Add(string piece, double ms)
        {
            if (!values.TryGetValue(piece, out var list)) { names.Add(piece); values[piece] = list = []; }
            list.Add(ms);
        }

        var backend = console.Backend;
        var host = console.Get<HostTools>();
        for (var r = 0; r < options.Repeat; r++)
        {
            var (inventory, captureMs) = await Timing.TimeAsync(() => console.Store.CaptureAsync(ct));
            Add(Pieces.Capture, captureMs);
            var (desired, planMs) = Timing.Time(() => backend.Render(FirewallPlanner.Plan(inventory)));
            Add(Pieces.Plan, planMs);
            var (addresses, addrMs) = await Timing.TimeAsync(() => host.ReadAddressesAsync(ct));
            Add(Pieces.Addresses, addrMs);
            if (IsNftables(console))
            {
                var (json, listMs) = await Timing.TimeAsync(() => console.Get<NftTools>().ListTableJsonAsync(ct));
                Add(Pieces.ReadTable, listMs);
                Add(Pieces.Parse, Timing.Time(() => console.Get<NftablesBackend>().Build(json, addresses)).Milliseconds);
            }
            else
            {
                var (text, saveMs) = await Timing.TimeAsync(() => console.Get<IIptablesHost>().SaveNatTableAsync(withCounters: false, ct));
                Add(Pieces.ReadTable, saveMs);
                Add(Pieces.Parse, Timing.Time(() => LiveStateBuilder.Build(text, addresses)).Milliseconds);
            }
            var (live, readMs) = await Timing.TimeAsync(() => backend.ReadAsync(ct));
            Add(Pieces.Read, readMs);
            var (change, compareMs) = Timing.Time(() => backend.Compare(desired, live));
            Add(Pieces.Compare, compareMs);
            Add(Pieces.Flows, Timing.Time(() => change.FlowsToReset.Count).Milliseconds);
            Add(Pieces.Verify, await Timing.TimeAsync(() => backend.VerifyAsync(desired, ct)));
            Add(Pieces.Process, (await Timing.TimeAsync(() => router.ExecAsync("true", [], ct: ct))).Milliseconds);
            Add(Pieces.ConntrackDelete, (await Timing.TimeAsync(() => backend.FindFlowsAsync([UnusedFlow], ct))).Milliseconds);
        }
        log($"{name}: profiled the pieces {options.Repeat} time(s) in {Timing.Milliseconds(started):N0} ms");
        return names.Select(n => new Piece(n, Samples.Of(values[n]))).ToArray();
    }

    /// <summary>The pieces' names, shared by both backends so the report can put them in one table.</summary>
    public static class Pieces
    {
        public const string Capture = "inventory capture (EF Core, SQLite)";
        public const string Plan = "plan and render (FirewallPlanner, backend.Render)";
        public const string Addresses = "the addresses (HostTools.ReadAddressesAsync, rtnetlink)";
        public const string ReadTable = "list the table: iptables-save -t nat (process) / nft -j list table (libnftables)";
        public const string Parse = "parse it (LiveStateBuilder / NftablesBackend.Build)";
        public const string Read = "read the router again, nothing changed since (backend.ReadAsync: generation and addresses)";
        public const string Compare = "diff and transaction text (backend.Compare)";
        public const string Flows = "flows to reset (change.FlowsToReset)";
        public const string Verify = "verify by listing again (backend.VerifyAsync of a state it did not just commit)";
        public const string Process = "one process: ip netns exec <router> true";
        public const string ConntrackDelete = "find one flow's conntrack entries, none there (backend.FindFlowsAsync: a netlink dump)";
    }

    /// <summary>
    /// Managed heap, working set and database file before and after <paramref name="applies"/> one-client applies
    /// (after a full collection and a WAL checkpoint each time, so the figures are what stays, not what is in flight).
    /// </summary>
    private async Task<Growth?> GrowthAsync(TestConsole console, SeededInventory seeded, Func<int> nextMove, string name, int applies, CancellationToken ct)
    {
        if (applies == 0) return null;
        var before = await SettleAsync(console, ct);
        var allocated = new List<double>();
        for (var i = 0; i < applies; i++)
        {
            await MoveAsync(console, seeded, nextMove(), ct);
            var (_, run) = await SizeBenchmark.CycleAsync(console, ct);
            allocated.Add(run.Memory.AllocatedBytes);
        }
        var after = await SettleAsync(console, ct);
        var growth = new Growth(applies, before, after, Samples.Of(allocated));
        log($"{name}: {applies} one-client applies: heap {growth.HeapPerApply / 1024:N0} KiB/apply, working set {growth.WorkingSetPerApply / 1024:N0} KiB/apply, "
            + $"database {growth.DatabasePerApply / 1024:N1} KiB/apply ({before.DatabaseBytes / 1024:N0} → {after.DatabaseBytes / 1024:N0} KiB)");
        return growth;
    }

    private static async Task<Footprint> SettleAsync(TestConsole console, CancellationToken ct)
    {
        await using (var db = await console.OpenDatabaseAsync())
            await db.Database.ExecuteSqlRawAsync("PRAGMA wal_checkpoint(TRUNCATE);", ct);
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        var heap = GC.GetTotalMemory(forceFullCollection: true);
        using var process = Process.GetCurrentProcess();
        return new Footprint(heap, process.WorkingSet64, console.DatabaseBytes());
    }

    /// <summary>
    /// The mapping whose client the flow benchmark sends from: the last one of the plan (mappings are ordered by
    /// client address). With iptables it must also be the owned chain's last rule, so a new flow walks all of them.
    /// </summary>
    private static async Task<MeasuredMapping> LastMappingAsync(TestConsole console, BenchRouter router, CancellationToken ct)
    {
        var last = FirewallPlanner.Plan(await console.Store.CaptureAsync(ct)).Mappings[^1];
        var mapping = new MeasuredMapping(last.Client, last.Endpoint.BaseAddress, last.External);
        if (!IsNftables(console))
        {
            var rule = (await router.SaveNatTableAsync(ct)).Split('\n').Last(l => l.StartsWith($"-A {OwnedChains.Snat} ", StringComparison.Ordinal));
            if (!rule.Contains($"-s {mapping.Client}/32 ", StringComparison.Ordinal) || !rule.Contains($"-d {mapping.Endpoint}/32 ", StringComparison.Ordinal)
                || !rule.Contains($"--to-source {mapping.External}", StringComparison.Ordinal))
                throw new InvalidOperationException($"The owned chain's last rule is not the last mapping ({mapping}): {rule}");
        }
        return mapping;
    }

    // The console's IFirewallBackend is the handover wrapper over the configured backend; ask the setup which it is.
    private static bool IsNftables(TestConsole console) => console.Setup.Backend == "Nftables";

    /// <summary>The backend's own structure holds N mappings: N rules in the owned chain, or N elements in the map.</summary>
    private static async Task EnsureMappingsAsync(TestConsole console, BenchRouter router, int size, string what, CancellationToken ct)
    {
        int count;
        if (IsNftables(console))
            count = (await console.Get<NftablesBackend>().ReadLiveAsync(ct)).Owned.Elements.Count;
        else
            count = await router.CountRulesAsync(OwnedChains.Snat, ct);
        if (count != size)
            throw new InvalidOperationException($"After {what} the {console.Backend.Name} backend holds {count} mappings, not {size}.");
    }
}

/// <summary>What stays in memory and on disk at one moment.</summary>
public sealed record Footprint(long HeapBytes, long WorkingSetBytes, long DatabaseBytes);

/// <summary>Memory and database before and after a series of one-client applies.</summary>
public sealed record Growth(int Applies, Footprint Before, Footprint After, Samples AllocatedPerApply)
{
    public double HeapPerApply => (double)(After.HeapBytes - Before.HeapBytes) / Applies;
    public double WorkingSetPerApply => (double)(After.WorkingSetBytes - Before.WorkingSetBytes) / Applies;
    public double DatabasePerApply => (double)(After.DatabaseBytes - Before.DatabaseBytes) / Applies;
}

/// <summary>Everything measured for one backend at one size.</summary>
public sealed record BackendResult(
    string Backend,
    int Size,
    IReadOnlyList<CycleRun> FullApplies,
    Samples Bare,
    string BareCommand,
    int TransactionBytes,
    IReadOnlyList<CycleRun> SmallChanges,
    IReadOnlyList<Piece> SmallChangePieces,
    Growth? Growth,
    FlowRateResult? Flows)
{
    /// <summary>Measured with one endpoint a network, so the nftables map has interval keys (see <see cref="BenchInventory.NetworkEndpoint"/>).</summary>
    public bool Interval { get; init; }

    public Samples FullApply => Samples.Of(FullApplies.Select(c => c.TotalMs));
    public Samples SmallChange => Samples.Of(SmallChanges.Select(c => c.TotalMs));
    public Samples SmallWithPreview => Samples.Of(SmallChanges.Select(c => c.WithPreviewMs));
    public double? FullOverBare => Bare.IsEmpty ? null : FullApply.Median / Bare.Median;
    public double StepMedian(ApplyStep step) => Samples.Of(SmallChanges.Select(c => c.Steps.GetValueOrDefault(step))).Median;
}
