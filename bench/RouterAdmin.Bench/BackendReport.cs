using System.Globalization;
using System.Text;
using RouterAdmin.Firewall.Apply;
using static RouterAdmin.Bench.Report;

namespace RouterAdmin.Bench;

/// <summary>The "Backends side by side" section of docs/benchmarks.md: iptables and nftables measured in one run.</summary>
public static class BackendReport
{
    public const int TargetSize = 10_000;
    public const double NftFullOverBareTarget = 1.5;
    public const double IptablesFullOverBareTarget = CycleTargetRatio;
    public const double SmallChangeTargetMs = 50;
    public const int FlowSmallSize = 10;
    public const double MapFlowTolerance = 0.10;

    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    private static readonly (ApplyStep Step, string Name)[] StepColumns =
    [
        (ApplyStep.Planning, "planning"),
        (ApplyStep.Snapshot, "snapshot"),
        (ApplyStep.BindAddresses, "bind"),
        (ApplyStep.Restore, "transaction"),
        (ApplyStep.Verify, "verify"),
        (ApplyStep.ResetConntrack, "conntrack reset"),
        (ApplyStep.Record, "record"),
    ];

    public static void Render(StringBuilder md, BenchOptions options, IReadOnlyList<BackendResult> measured)
    {
        // The interval map is a variant of the largest size, with a section of its own.
        var results = measured.Where(r => !r.Interval).ToArray();
        var interval = measured.FirstOrDefault(r => r.Interval);
        var sizes = results.Select(r => r.Size).Distinct().Order().ToArray();
        BackendResult? Of(string backend, int size) => results.FirstOrDefault(r => r.Backend == backend && r.Size == size);

        md.AppendLine("## Backends side by side").AppendLine();
        md.AppendLine("Both real backends in one run, on one bench router (its own namespaces, created for this part) and the same inventory, each on a fresh SQLite file per size: "
            + "**iptables** (owned chains `ROUTERADMIN-SNAT`/`MASQ`, one rule per mapping, `iptables-restore --noflush`) and "
            + "**nftables** (`table ip routeradmin`, chain at `srcnat - 10`, one `snat ip to ip saddr . ip daddr map @mappings` rule, per-element counters, one `nft -f`; a small change adds and deletes only the changed elements).").AppendLine();
        md.AppendLine("- **Full apply** = `ApplyEngine.ApplyAsync()` from a router without anything of RouterAdmin's to N mappings (the router is put back before each, not timed). "
            + "**Bare** = the engine's own transaction text for that apply (the preview's `ChangePreview.Transaction`: the restore script, or the nft file that replaces the table) fed to the same tool, `ip netns exec <router> iptables-restore --noflush` or `… nft -f -`, through CliWrap as the console starts it, on the same empty router.");
        md.AppendLine($"- **1 client reassigned** = the same cycle after moving one client to another address on top of N mappings; one unreported warm-up change first, then {options.Repeat} measured. The steps are ApplyEngine's own reports to ApplyGate (as in the sections below); *transaction* is `iptables-restore` or `nft -f`.");
        md.AppendLine($"- **Growth per apply** = after a full GC and a WAL checkpoint, managed heap (`GC.GetTotalMemory`), working set and database file (with its WAL) before and after {options.GrowthApplies} more one-client applies, divided by {options.GrowthApplies}. Every apply keeps a revision, so the database grows by what one revision stores.");
        md.AppendLine($"- **New flows** = UDP datagrams from a client namespace on the router's LAN side (veth `lan`), whose address is the client of the **last** mapping (the plan's last; with iptables checked to be the owned chain's last rule), to that mapping's VPN endpoint on the WAN-side namespace. "
            + $"Each datagram has a new source port, so each is a new conntrack flow and passes the nat postrouting hook once. Each size has a bench router of its own with its inventory applied, and the sizes are measured in turn, repetition by repetition (the order reversed every other round), so they meet the same conditions on a shared machine. {options.Flows:N0} flows per repetition, {options.FlowRepeat} repetitions, median; the router's conntrack table is flushed before each repetition (`nf_conntrack_max` {ConntrackMax(results)}, at least 4× the flows of a repetition) and must then hold one entry per datagram; every datagram must arrive at the sink, from the mapping's external address. "
            + "The sender is a raw socket writing the UDP header itself (no socket per flow); veth carries each datagram through the router in the sender's own softirq, so the send loop's time is the whole path's, and the sink is read after the loop.");
        md.AppendLine();

        Targets(md, sizes, Of);
        Table(md, sizes, Of);
        Steps(md, sizes, Of);
        Pieces(md, sizes, Of);
        Flows(md, options, results);
        WhereTheTimeGoes(md, sizes, Of);
        if (interval is not null) IntervalKeys(md, interval, Of("Nftables", interval.Size));
    }

    /// <summary>What interval keys cost: the same inventory with one endpoint a network, beside the hash map.</summary>
    private static void IntervalKeys(StringBuilder md, BackendResult interval, BackendResult? hash)
    {
        md.AppendLine($"### Interval keys: one endpoint a network (nftables, N = {interval.Size:N0})").AppendLine();
        md.AppendLine($"An endpoint that is a network (here {BenchInventory.NetworkEndpoint} for the first {BenchInventory.AddressCount} clients) makes the map `flags interval`: "
            + "the kernel keeps concatenated ranges (its pipapo set type) instead of a hash, and nft checks new ranges against the ones there. The same inventory otherwise, in the same run; "
            + "the flows from the same last mapping's client (an address endpoint in both), measured in the same rounds as the other sizes.").AppendLine();
        md.AppendLine("| measure | hash map (every endpoint an address) | interval map (one endpoint a network) |").AppendLine("|---|--:|--:|");
        string Cell(BackendResult? r, Func<BackendResult, string?> value) => r is null ? "—" : value(r) ?? "—";
        void Row(string measure, Func<BackendResult, string?> value) => md.AppendLine($"| {measure} | {Cell(hash, value)} | {Cell(interval, value)} |");
        Row("full apply, empty → N", r => r.FullApplies.Count == 0 || r.Bare.IsEmpty ? null : Stat(r.FullApply));
        Row("bare `nft -f` of the same transaction", r => r.Bare.IsEmpty ? null : Stat(r.Bare));
        Row("full apply / bare", r => r.FullOverBare is { } x ? Ratio(x) : null);
        Row("transaction text, empty → N", r => r.TransactionBytes == 0 ? null : $"{r.TransactionBytes / 1024.0:N0} KiB");
        Row("1 client reassigned: apply", r => r.SmallChanges.Count == 0 ? null : Stat(r.SmallChange));
        Row("… of which the transaction (`nft -f` through libnftables)", r => r.SmallChanges.Count == 0 ? null : Ms(r.StepMedian(ApplyStep.Restore)));
        Row("1 client reassigned: preview + apply", r => r.SmallChanges.Count == 0 ? null : Stat(r.SmallWithPreview));
        Row("new flows per CPU-second, last mapping's client", r => r.Flows is { } f ? $"{CpuRate(f)} ({f.CpuMicrosecondsPerFlow:0.0} µs/flow)" : null);
        md.AppendLine();
        var said = new List<string>();
        if (hash is { FullOverBare: not null } && interval.FullOverBare is not null)
            said.Add($"a first apply takes {Ms(interval.FullApply.Median)} ms against {Ms(hash.FullApply.Median)} ms ({Ratio(interval.FullApply.Median / hash.FullApply.Median)}; the bare load {Ratio(interval.Bare.Median / hash.Bare.Median)})");
        if (hash is { SmallChanges.Count: > 0 } && interval.SmallChanges.Count > 0)
            said.Add($"moving one client takes {Ms(interval.SmallChange.Median)} ms against {Ms(hash.SmallChange.Median)} ms, its transaction {Ms(interval.StepMedian(ApplyStep.Restore))} ms against {Ms(hash.StepMedian(ApplyStep.Restore))} ms");
        if (hash?.Flows is { } hf && interval.Flows is { } f2)
            said.Add($"new flows per CPU-second of the sender {Signed(PairedChange(f2, hf))} round by round ({CpuRate(f2)} against {CpuRate(hf)}, medians)");
        if (said.Count > 0) md.AppendLine($"With interval keys at {interval.Size:N0} mappings: {string.Join("; ", said)}.").AppendLine();
    }

    private static void Targets(StringBuilder md, int[] sizes, Func<string, int, BackendResult?> of)
    {
        md.AppendLine("### Targets (issue 10)").AppendLine();
        md.AppendLine("| target | measured | result |").AppendLine("|---|---|---|");

        void FullApply(string backend, string bare, double target)
        {
            var what = $"{Label(backend)}: full apply, empty → {TargetSize:N0} mappings, ≤ {target:0.0#}× a bare `{bare}` of the same transaction";
            md.AppendLine(of(backend, TargetSize) is { FullOverBare: { } ratio } r
                ? $"| {what} | {Ratio(ratio)} ({Ms(r.FullApply.Median)} ms vs {Ms(r.Bare.Median)} ms) | {Verdict(ratio <= target)} |"
                : $"| {what} | not measured ({TargetSize:N0} not in --sizes) | — |");
        }
        FullApply("Nftables", "nft -f", NftFullOverBareTarget);
        FullApply("Iptables", "iptables-restore --noflush", IptablesFullOverBareTarget);

        foreach (var backend in BackendComparison.Backends)
        {
            // The target is the nftables backend's; the iptables backend's figure is there to compare with.
            var targeted = backend == "Nftables";
            var what = targeted
                ? $"{Label(backend)}: one client reassigned on {TargetSize:N0} mappings, whole cycle ≤ {SmallChangeTargetMs:0} ms (median)"
                : $"{Label(backend)}: one client reassigned on {TargetSize:N0} mappings, whole cycle (no target: the whole chain is restored and read back)";
            md.AppendLine(of(backend, TargetSize) is { SmallChanges.Count: > 0 } r
                ? $"| {what} | median {Ms(r.SmallChange.Median)} ms ({Ms(r.SmallChange.Min)}–{Ms(r.SmallChange.Max)}, {r.SmallChanges.Count} runs); preview + apply {Ms(r.SmallWithPreview.Median)} ms | {(targeted ? Verdict(r.SmallChange.Median <= SmallChangeTargetMs) : "—")} |"
                : $"| {what} | not measured | — |");
        }

        var small = sizes.Length > 0 ? sizes[0] : 0;
        var large = sizes.Length > 0 ? sizes[^1] : 0;
        (FlowRateResult Low, FlowRateResult High)? FlowPair(string backend) =>
            of(backend, small)?.Flows is { } lo && of(backend, large)?.Flows is { } hi && small != large ? (lo, hi) : null;
        var exact = small == FlowSmallSize && large == TargetSize;
        var scope = exact ? "" : $" (measured at {small:N0} and {large:N0}, not {FlowSmallSize} and {TargetSize:N0})";
        var map = FlowPair("Nftables");
        md.AppendLine(map is { } m
            ? $"| nftables map: new flows/s from the last mapping's client at {TargetSize:N0} mappings within {MapFlowTolerance:P0} of the rate at {FlowSmallSize}{scope}; judged per CPU-second of the sender, which carries the whole path, round by round (the two sizes measured in turn) | median of the {m.High.FlowsPerCpuSecond.Count} rounds' ratios {Signed(PairedChange(m.High, m.Low))}; medians {CpuRate(m.High)} vs {CpuRate(m.Low)} per CPU-second ({CpuChange(m.High, m.Low)}), best rounds {Num(m.High.FlowsPerCpuSecond.Max)} vs {Num(m.Low.FlowsPerCpuSecond.Max)} ({Signed(m.High.FlowsPerCpuSecond.Max / m.Low.FlowsPerCpuSecond.Max - 1)}); wall clock {Rate(m.High)} vs {Rate(m.Low)} ({Change(m.High, m.Low)}) | {(exact ? Verdict(Math.Abs(PairedChange(m.High, m.Low)) <= MapFlowTolerance) : "—")} |"
            : $"| nftables map: new flows/s at {TargetSize:N0} mappings within {MapFlowTolerance:P0} of the rate at {FlowSmallSize} | not measured | — |");
        var chain = FlowPair("Iptables");
        md.AppendLine(chain is { } c
            ? $"| iptables chain: new flows/s at {TargetSize:N0} mappings vs at {FlowSmallSize} (no target: the chain is walked rule by rule){scope} | median of the rounds' ratios {Signed(PairedChange(c.High, c.Low))}; medians {CpuRate(c.High)} vs {CpuRate(c.Low)} per CPU-second ({CpuChange(c.High, c.Low)}); wall clock {Rate(c.High)} vs {Rate(c.Low)} ({Change(c.High, c.Low)}) | — |"
            : $"| iptables chain: new flows/s at {TargetSize:N0} vs at {FlowSmallSize} | not measured | — |");
        md.AppendLine();
    }

    private static void Table(StringBuilder md, int[] sizes, Func<string, int, BackendResult?> of)
    {
        md.AppendLine("### Side by side (ms unless said)").AppendLine();
        md.AppendLine("| N | measure | iptables | nftables |").AppendLine("|--:|---|--:|--:|");
        foreach (var size in sizes)
        {
            var first = true;
            void Row(string measure, Func<BackendResult, string?> cell)
            {
                var cells = BackendComparison.Backends.Select(b => of(b, size) is { } r ? cell(r) ?? "—" : "—").ToArray();
                if (cells.All(c => c == "—")) return;
                md.AppendLine($"| {(first ? size.ToString("N0", Invariant) : "")} | {measure} | {string.Join(" | ", cells)} |");
                first = false;
            }
            Row("**full apply, empty → N**", r => $"**{Stat(r.FullApply)}**");
            Row("bare transaction (same text, same tool)", r => r.Bare.IsEmpty ? null : $"{Stat(r.Bare)} `{r.BareCommand}`");
            Row("full apply / bare", r => r.FullOverBare is { } x ? Ratio(x) : null);
            Row("transaction text, empty → N", r => $"{r.TransactionBytes / 1024.0:N0} KiB");
            Row("**1 client reassigned: apply**", r => r.SmallChanges.Count == 0 ? null : $"**{Stat(r.SmallChange)}**");
            Row("1 client reassigned: preview + apply", r => r.SmallChanges.Count == 0 ? null : Stat(r.SmallWithPreview));
            Row("GC allocated per 1-client apply (median)", r => r.Growth is { } g ? MiB(g.AllocatedPerApply.Median) : null);
            Row("managed heap kept per apply", r => r.Growth is { } g ? Kib(g.HeapPerApply) : null);
            Row("working set growth per apply", r => r.Growth is { } g ? Kib(g.WorkingSetPerApply) : null);
            Row("database growth per apply", r => r.Growth is { } g ? $"{Kib(g.DatabasePerApply)} ({MiB(g.Before.DatabaseBytes)} → {MiB(g.After.DatabaseBytes)} over {g.Applies})" : null);
            Row("new flows/s, last mapping's client (wall clock)", r => r.Flows is { } f ? $"{Rate(f)} ({f.MicrosecondsPerFlow:0.0} µs/flow)" : null);
            Row("new flows per CPU-second of the sender", r => r.Flows is { } f ? $"{CpuRate(f)} ({f.CpuMicrosecondsPerFlow:0.0} µs/flow)" : null);
        }
        md.AppendLine();
    }

    private static void Steps(StringBuilder md, int[] sizes, Func<string, int, BackendResult?> of)
    {
        var all = sizes.SelectMany(s => BackendComparison.Backends.Select(b => of(b, s))).OfType<BackendResult>().ToArray();
        StepTable(md, "Inside the full apply, empty → N, step by step (median ms)", all, r => r.FullApplies, "bare");
        var rows = all.Where(r => r.SmallChanges.Count > 0).ToArray();
        if (rows.Length == 0) return;
        StepTable(md, "Inside the 1-client apply, step by step (median ms)", rows, r => r.SmallChanges, null);
        md.AppendLine("*preview (before)* = the preview the apply follows: capture the inventory, plan, read the router, diff, and begin writing the revision's texts on the other core; "
            + "*planning* = read the router again and take over the preview's change when nothing moved since (the nf_tables generation and the addresses say so), otherwise list and compare afresh; "
            + "*snapshot* = the revision's texts (what the preview began writing is waited for, the rest written) and the chunks that changed, stored before the kernel is touched; "
            + "*verify* = read the router back and compare (after the engine's own transaction: the generation and the addresses), with the conntrack dump for the moved flows started beside it; "
            + "*conntrack reset* = deleting the moved flows' conntrack entries over netlink (only what the dump adds after the verify shows here; without entries to delete, the dump's wait shows under *verify*); *record* = finish the revision and the audit entry.").AppendLine();
    }

    private static void StepTable(StringBuilder md, string title, IReadOnlyList<BackendResult> rows, Func<BackendResult, IReadOnlyList<CycleRun>> runs, string? bare)
    {
        rows = rows.Where(r => runs(r).Count > 0).ToArray();
        if (rows.Count == 0) return;
        var columns = StepColumns.Where(c => rows.Any(r => runs(r).Any(run => run.Steps.ContainsKey(c.Step)))).ToArray();
        double Median(BackendResult r, ApplyStep step) => Samples.Of(runs(r).Select(c => c.Steps.GetValueOrDefault(step))).Median;
        md.AppendLine($"### {title}").AppendLine();
        md.AppendLine($"| N | backend | preview (before) | {string.Join(" | ", columns.Select(c => c.Name))} | **apply** |{(bare is null ? "" : " bare transaction |")}");
        md.AppendLine($"|--:|---|--:|{string.Concat(columns.Select(_ => "--:|"))}--:|{(bare is null ? "" : "--:|")}");
        foreach (var r in rows)
            md.AppendLine($"| {r.Size:N0} | {Label(r.Backend)} | {Ms(Samples.Of(runs(r).Select(c => c.PreviewMs)).Median)} | {string.Join(" | ", columns.Select(c => Ms(Median(r, c.Step))))} | **{Ms(Samples.Of(runs(r).Select(c => c.TotalMs)).Median)}** |"
                + (bare is null ? "" : $" {(r.Bare.IsEmpty ? "—" : Ms(r.Bare.Median))} |"));
        md.AppendLine();
    }

    private static void Pieces(StringBuilder md, int[] sizes, Func<string, int, BackendResult?> of)
    {
        var columns = sizes.SelectMany(s => BackendComparison.Backends.Select(b => of(b, s))).OfType<BackendResult>().Where(r => r.SmallChangePieces.Count > 0).ToArray();
        if (columns.Length == 0) return;
        md.AppendLine("### Pieces of the 1-client change, called directly on N mappings (median ms)").AppendLine();
        md.AppendLine($"| piece | {string.Join(" | ", columns.Select(r => $"{Label(r.Backend)} {r.Size:N0}"))} |");
        md.AppendLine($"|---|{string.Concat(columns.Select(_ => "--:|"))}");
        foreach (var name in columns[0].SmallChangePieces.Select(p => p.Name))
            md.AppendLine($"| {name} | {string.Join(" | ", columns.Select(r => r.SmallChangePieces.FirstOrDefault(p => p.Name == name) is { } p ? Ms(p.Milliseconds.Median) : "—"))} |");
        md.AppendLine();
    }

    private static void Flows(StringBuilder md, BenchOptions options, IReadOnlyList<BackendResult> results)
    {
        var measured = results.Where(r => r.Flows is not null).OrderBy(r => r.Size).ToArray();
        if (measured.Length == 0) return;
        md.AppendLine("### New flows through the router, from the last mapping's client").AppendLine();
        md.AppendLine("| mappings | backend | client → endpoint, leaves as | flows/s (wall clock), median (min–max) | µs per flow | flows per CPU-second, median (min–max) | CPU µs per flow | arrived | from the mapped address | new conntrack entries |");
        md.AppendLine("|--:|---|---|--:|--:|--:|--:|--:|--:|--:|");
        foreach (var r in measured)
        {
            var f = r.Flows!;
            var sent = (long)f.FlowsPerRepetition * f.FlowsPerSecond.Count;
            md.AppendLine($"| {r.Size:N0} | {Label(r.Backend)} | {f.Mapping.Client} → {f.Mapping.Endpoint}, {f.Mapping.External} | {Rate(f)} ({Num(f.FlowsPerSecond.Min)}–{Num(f.FlowsPerSecond.Max)}) | {f.MicrosecondsPerFlow:0.0} | {CpuRate(f)} ({Num(f.FlowsPerCpuSecond.Min)}–{Num(f.FlowsPerCpuSecond.Max)}) | {f.CpuMicrosecondsPerFlow:0.0} | {sent - f.Lost:N0} of {sent:N0} | {sent - f.Lost - f.FromWrongSource:N0} | {f.NewFlowsCounted:N0} |");
        }
        md.AppendLine();
        var sizes = measured.Select(r => r.Size).Distinct().Order().ToArray();
        if (sizes.Length >= 2)
            foreach (var backend in BackendComparison.Backends)
                if (measured.FirstOrDefault(r => r.Backend == backend && r.Size == sizes[0])?.Flows is { } lo
                    && measured.FirstOrDefault(r => r.Backend == backend && r.Size == sizes[^1])?.Flows is { } hi)
                    md.AppendLine($"- {Label(backend)}: round by round, {sizes[^1]:N0} mappings against {sizes[0]:N0} {Signed(PairedChange(hi, lo))} (median of {Math.Min(hi.FlowsPerCpuSecond.Count, lo.FlowsPerCpuSecond.Count)} rounds' ratios); medians {CpuRate(hi)} per CPU-second vs {CpuRate(lo)} ({CpuChange(hi, lo)}, "
                        + $"{hi.CpuMicrosecondsPerFlow - lo.CpuMicrosecondsPerFlow:+0.0;-0.0} µs per new flow); by the wall clock {Rate(hi)} vs {Rate(lo)} ({Change(hi, lo)}).");
        md.AppendLine();
        md.AppendLine("A µs per flow is the whole path of one new flow (the sender's `sendto`, two veth hops, forwarding, a new conntrack entry, nat, delivery to the sink's socket), not nat alone; the difference between sizes is what the lookup of the last mapping costs. The wall clock also counts the time other work on the machine took the core from the sender; the sender thread's CPU time (`CLOCK_THREAD_CPUTIME_ID`) does not, and on this kernel (no `CONFIG_IRQ_TIME_ACCOUNTING`) it includes the softirq work that carries each datagram through the router, so on a shared machine it is the steadier figure and the one the target is judged on.").AppendLine();
    }

    /// <summary>Generated from the step figures, so the summary cannot drift from the tables above it.</summary>
    private static void WhereTheTimeGoes(StringBuilder md, int[] sizes, Func<string, int, BackendResult?> of)
    {
        var rows = sizes.SelectMany(s => BackendComparison.Backends.Select(b => of(b, s))).OfType<BackendResult>().Where(r => r.SmallChanges.Count > 0).ToArray();
        if (rows.Length == 0) return;
        md.AppendLine("### Where the time goes in the 1-client change").AppendLine();
        foreach (var r in rows)
        {
            var total = r.SmallChange.Median;
            var steps = StepColumns
                .Select(c => (c.Name, Ms: r.StepMedian(c.Step)))
                .Where(p => p.Ms > 0)
                .OrderByDescending(p => p.Ms)
                .Select(p => $"{p.Name} {Ms(p.Ms)} ms ({Percent(p.Ms / total)})");
            double Piece(string name) => r.SmallChangePieces.FirstOrDefault(p => p.Name == name)?.Milliseconds.Median ?? double.NaN;
            var list = r.Backend == "Nftables" ? "`nft -j list table`" : "`iptables-save -t nat`";
            md.AppendLine($"- {Label(r.Backend)}, N = {r.Size:N0}, apply {Ms(total)} ms: {string.Join(", ", steps)}. "
                + $"What the apply does not do again after its preview: list the table with {list} ({Ms(Piece(BackendComparison.Pieces.ReadTable))} ms), parse it ({Ms(Piece(BackendComparison.Pieces.Parse))} ms) "
                + $"and compare it with the plan ({Ms(Piece(BackendComparison.Pieces.Compare))} ms); its read is the generation and the addresses ({Ms(Piece(BackendComparison.Pieces.Read))} ms). "
                + $"Finding the moved flow's conntrack entries walks the kernel's whole conntrack hash ({Ms(Piece(BackendComparison.Pieces.ConntrackDelete))} ms), beside the verify.");
        }
        md.AppendLine();
    }

    private static string ConntrackMax(IReadOnlyList<BackendResult> results) =>
        results.Select(r => r.Flows?.ConntrackMax ?? 0).Max() is var max and > 0 ? max.ToString("N0", Invariant) : "—";

    private static string Label(string backend) => backend.ToLowerInvariant();

    private static string Rate(FlowRateResult f) => $"{Num(f.FlowsPerSecond.Median)}/s";

    private static string CpuRate(FlowRateResult f) => $"{Num(f.FlowsPerCpuSecond.Median)}";

    /// <summary>
    /// The change from <paramref name="baseline"/> to <paramref name="now"/> judged round by round: each round measured
    /// both back to back, so the median of the rounds' ratios leaves out what the machine did in between.
    /// </summary>
    private static double PairedChange(FlowRateResult now, FlowRateResult baseline) =>
        Samples.Of(now.FlowsPerCpuSecond.Values.Zip(baseline.FlowsPerCpuSecond.Values, (a, b) => a / b)).Median - 1;

    private static string CpuChange(FlowRateResult now, FlowRateResult baseline) => Signed(now.FlowsPerCpuSecond.Median / baseline.FlowsPerCpuSecond.Median - 1);

    private static string Num(double value) => value.ToString("N0", Invariant);

    private static string Kib(double bytes) => (bytes / 1024).ToString("N1", Invariant) + " KiB";

    private static string Change(FlowRateResult now, FlowRateResult baseline) => Signed(now.FlowsPerSecond.Median / baseline.FlowsPerSecond.Median - 1);

    private static string Signed(double change) => (change >= 0 ? "+" : "−") + Math.Abs(change * 100).ToString("0.0", Invariant) + "%";
}
