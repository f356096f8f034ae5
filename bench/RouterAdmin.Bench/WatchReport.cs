using System.Globalization;
using System.Text;

namespace RouterAdmin.Bench;

/// <summary>
/// The "VPN watch" section of docs/benchmarks.md (<see cref="WatchCost"/>), in the markers a full run keeps when it
/// does not measure the watch itself, so <c>--only watch</c> replaces just this section.
/// </summary>
public static class WatchReport
{
    public const string Key = "watch";

    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static string Section(WatchResult r, MachineInfo machine, string command) =>
        HistoryReport.Keep(Key, Body(r, machine), command, r.LoadAtEnd);

    private static string Body(WatchResult r, MachineInfo machine)
    {
        var md = new StringBuilder();
        md.AppendLine("## VPN watch: per-packet cost on an ESP stream (issue 13)").AppendLine();
        md.AppendLine($"Measured {machine.Date.ToString("yyyy-MM-dd HH:mm 'UTC'", Invariant)} on {machine.Cpu}, {machine.Cores} cores, kernel {machine.Kernel}, {machine.Nft}, {machine.Runtime} {machine.Build} build; "
            + $"{r.Duration.TotalSeconds:0} s; load average {r.LoadAtStart} at the start, {r.LoadAtEnd} at the end.").AppendLine();
        md.AppendLine("For each backend a bench router of its own (the namespaces above) and RouterAdmin's console on it: one client, 10.0.1.10, with its own external address "
            + "(203.0.113.2, bound on `wan` by RouterAdmin) towards one VPN server, 198.51.100.1. The watch is turned off and on as an administrator does it: the setting "
            + "(`WatchVpnUsers`), then preview and apply through `ApplyEngine`, so `WatchingBackend` installs `NftVpnWatch`'s table; after each apply the product's reader must "
            + "find exactly its chain, or no table. The chain as it was installed and measured:").AppendLine();
        md.AppendLine("```");
        md.AppendLine(r.Backends.FirstOrDefault()?.InstalledChain ?? "");
        md.AppendLine("```").AppendLine();
        md.AppendLine($"A raw socket in the client namespace sends ESP (IP protocol 50: SPI, a sequence number growing by one per packet, {EspStream.PayloadBytes} bytes of payload; "
            + $"{20 + EspStream.PacketBytes}-byte IP packets) to the server, {r.Packets:N0} back to back per loop; a raw socket on the VPN side receives them and is read after the loop. "
            + "Veth carries each packet through the router in the sender's own softirq, so the **sender thread's CPU time** (`CLOCK_THREAD_CPUTIME_ID`, which on this kernel includes "
            + "that softirq work) per packet is the whole path's cost: the `sendto`, two veth hops, conntrack, the forward hook (where the watch's chain sits), nat for a new entry, and "
            + "the delivery. It leaves out the time other processes took the core, which is why it, not the wall clock, is the figure compared.").AppendLine();
        md.AppendLine("- **established**: the client's tunnel. Its conntrack entry has seen one packet back from the server, so the rule's `ct state new` fails and the set is not "
            + "touched. Checked on every loop: every packet arrived, from 203.0.113.2; no ESP entry was added to conntrack; insert_failed did not move; the set's counters did not move.");
        md.AppendLine("- **colliding**: the case the watch exists for. A host without an address of its own (10.0.2.11) sends to the same server while another (10.0.2.10) holds the "
            + "masquerade address's only ESP entry to it: each packet gets a new conntrack entry that fails to insert, so each stays `ct state new` and, with the watch on, updates "
            + $"the set. Checked on every loop: none arrived; insert_failed grew by exactly the packets sent; with the watch on, the set's counter for (10.0.2.11, 198.51.100.1) grew by exactly as many.");
        md.AppendLine($"- {r.Repeat} repetitions; in each, off and on are measured one after the other (off first in odd repetitions, on first in even ones), both cases each time, after an "
            + "unreported warm-up of both. *Median (min–max)* over the repetitions; *within a repetition* = on minus off of the same repetition, which cancels drift slower than a second.");
        md.AppendLine();

        md.AppendLine("| backend | ESP stream | watch off: CPU ns per packet, median (min–max) | watch on | on − off (medians) | on − off within a repetition, median (min–max) | packets per CPU-second, off → on | packets/s by the wall clock, off → on |");
        md.AppendLine("|---|---|--:|--:|--:|--:|--:|--:|");
        foreach (var b in r.Backends)
            foreach (var c in b.Cases)
                md.AppendLine($"| {b.BackendName} | {Label(c.Case)} | {Stat(c.OffNs)} | {Stat(c.OnNs)} | **{Signed(c.DeltaNs)} ns ({Percent(c.DeltaNs / c.OffNs.Median)})** | "
                    + $"{Signed(c.PairedDeltaNs.Median)} ({Signed(c.PairedDeltaNs.Min)} … {Signed(c.PairedDeltaNs.Max)}) | {Num(c.OffRate.Median)} → {Num(c.OnRate.Median)} | {Num(c.OffWallRate.Median)} → {Num(c.OnWallRate.Median)} |");
        md.AppendLine();

        foreach (var b in r.Backends)
            foreach (var c in b.Cases)
                md.AppendLine($"- {b.BackendName}, {Label(c.Case)}: {Verdict(c)}");
        foreach (var b in r.Backends)
            md.AppendLine($"- {b.BackendName}: what updating the set adds to a failing `ct state new` test, the colliding difference minus the established one (within a repetition, medians): "
                + $"{Signed(b.Of(EspCase.Colliding).PairedDeltaNs.Median - b.Of(EspCase.Established).PairedDeltaNs.Median)} ns.");
        md.AppendLine("- On the bench router the watch's chain is the forward hook's only base chain (it has no filter rules), so turning the watch on adds a hook traversal and the rule's first "
            + "tests to every packet forwarded from the LAN, ESP or not (other protocols fail at `ip protocol esp`): the established figure is about what the watch costs any LAN packet. "
            + "Only ESP was measured. A colliding packet makes a conntrack entry, passes nat and is dropped, but it ends at the router, where an established packet goes on over the "
            + "second veth hop into the VPN side's socket; with the watch off the two cost "
            + string.Join(", ", r.Backends.Select(b => $"{Num(b.Of(EspCase.Colliding).OffNs.Median)} and {Num(b.Of(EspCase.Established).OffNs.Median)} ns ({b.BackendName})")) + ".");
        var loops = r.Backends.SelectMany(b => b.Cases).SelectMany(c => c.Loops).ToArray();
        if (loops.Length > 0)
        {
            var softirq = loops.Sum(l => l.KsoftirqdMs);
            md.AppendLine($"- The machine's ksoftirqd threads ran {softirq.ToString("N0", Invariant)} ms during the {loops.Sum(l => l.CpuSeconds).ToString("0.0", Invariant)} CPU-seconds of measured loops "
                + "(all of the machine's deferred softirq work, an upper bound on what the sender's figure can have missed); "
                + $"the sender had the core for {Report.Percent(loops.Sum(l => l.CpuSeconds) / loops.Sum(l => l.WallSeconds))} of the loops' wall-clock time.");
        }
        md.AppendLine();

        var latencies = r.Backends.Where(b => b.Latency is not null).ToArray();
        if (latencies.Length > 0)
        {
            md.AppendLine("### Detection latency").AppendLine();
            md.AppendLine("The product's `VpnUserWatcher` checked as `VpnWatchService` checks it (a `PeriodicTimer` on `RouterAdmin:Detection:CheckInterval`, the setting read at each tick), "
                + $"with the watch on; one after another, a new host without an address of its own starts a tunnel (a packet every {20} ms) to the server, colliding with 10.0.2.10's entry. "
                + "Each starts at a different moment of the check cycle (spread evenly over it), and its latency runs from its first packet to the end of the check whose report names it dropped. "
                + "The classifier names a colliding host at the first check that sees its count above the previous check's (no conntrack entry, packets still counted), so the latency lies "
                + "between one check's duration and one interval plus it.").AppendLine();
            md.AppendLine("| backend | check interval | first packet → named dropped, median (min–max) | hosts | one check (watch set, `conntrack -L`, inventory), median (min–max) |");
            md.AppendLine("|---|--:|--:|--:|--:|");
            foreach (var b in latencies)
            {
                var l = b.Latency!;
                md.AppendLine($"| {b.BackendName} | {l.CheckInterval.TotalSeconds.ToString("0.#", Invariant)} s | {Ms(l.Milliseconds)} ms | {l.Milliseconds.Count} | {Ms(l.CheckMilliseconds)} ms |");
            }
            md.AppendLine();
        }
        return md.ToString();
    }

    /// <summary>What the repetitions allow one to say about the difference, in words generated from the figures.</summary>
    private static string Verdict(EspCaseResult c)
    {
        var paired = c.PairedDeltaNs;
        var more = paired.Values.Count(v => v > 0);
        var p = SignTest(more, paired.Count);
        var spread = Math.Max(c.OffNs.Max - c.OffNs.Min, c.OnNs.Max - c.OnNs.Min);
        var found = $"{Signed(c.DeltaNs)} ns per packet, {Percent(c.DeltaNs / c.OffNs.Median)} of the {Num(c.OffNs.Median)} ns path; on cost more than off in {more} of the {paired.Count} repetitions "
            + $"(differences {Signed(paired.Min)} … {Signed(paired.Max)} ns; sign test p = {p.ToString("0.000", Invariant)}), while the loops of one setting spread over {Num(spread)} ns";
        return p < 0.05
            ? $"{found}: the difference stands clear of this run's noise."
            : $"{found}: **not told apart from zero** in this run, the watch's cost is within its noise.";
    }

    /// <summary>Two-sided sign test: the chance of a split at least this uneven if on and off cost the same.</summary>
    private static double SignTest(int positive, int n)
    {
        var extreme = Math.Max(positive, n - positive);
        double tail = 0;
        for (var k = extreme; k <= n; k++) tail += Choose(n, k);
        return Math.Min(1, 2 * tail / Math.Pow(2, n));
    }

    private static double Choose(int n, int k)
    {
        double result = 1;
        for (var i = 1; i <= k; i++) result = result * (n - k + i) / i;
        return result;
    }

    private static string Label(EspCase c) => c == EspCase.Established ? "established (`ct state new` fails)" : "colliding (each packet updates the set)";

    private static string Stat(Samples s) => s.Count == 1 ? Num(s.Median) : $"{Num(s.Median)} ({Num(s.Min)}–{Num(s.Max)})";

    private static string Ms(Samples s) => s.IsEmpty ? "—" : s.Count == 1 ? Report.Ms(s.Median) : $"{Report.Ms(s.Median)} ({Report.Ms(s.Min)}–{Report.Ms(s.Max)})";

    private static string Num(double value) => value.ToString("N0", Invariant);

    private static string Signed(double value) => (value >= 0 ? "+" : "−") + Math.Abs(value).ToString("N0", Invariant);

    private static string Percent(double share) => (share >= 0 ? "+" : "−") + Math.Abs(share * 100).ToString("0.0", Invariant) + "%";
}
