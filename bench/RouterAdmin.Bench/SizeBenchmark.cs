using System.Net;
using DiffPlex.DiffBuilder;
using RouterAdmin.Firewall.Backends.Iptables;
using RouterAdmin.Firewall.Apply;
using RouterAdmin.Firewall.Diff;
using RouterAdmin.Firewall.LiveState;
using RouterAdmin.Firewall.Model;
using RouterAdmin.Firewall.Planning;
using RouterAdmin.History;
using RouterAdmin.Inventory;

namespace RouterAdmin.Bench;

/// <summary>Everything measured for one number of assignments, against one fresh database and the shared bench router.</summary>
public sealed class SizeBenchmark(BenchRouter router, BenchOptions options, Action<string> log)
{
    private const string Reason = "benchmark";
    public const string OneConntrackDelete = "find one flow's conntrack entries, none there (backend.FindFlowsAsync: a netlink dump)";
    public const string OneConntrackList = "one conntrack -L, whole table (backend.ListFlowsAsync)";
    private static readonly FlowKey UnusedFlow = new(IPNetwork.Parse("10.0.250.1/32"), IPNetwork.Parse("198.51.100.250/32"));

    public async Task<SizeResult> RunAsync(int size, bool withQueries, CancellationToken ct, bool withHistory = false)
    {
        await using var console = await BenchInventory.StartConsoleAsync(router.RouterNamespace);
        var (seeded, seedMs) = await Timing.TimeAsync(() => console.SeedAsync(size, ct));
        log($"N={size:N0}: seeded in {seedMs:N0} ms");

        // From an empty owned chain to N rules, the first apply on a router.
        await router.ResetAsync(ct);
        var fromEmptyPieces = await ProfilePiecesAsync(console, ct);
        var fullCycles = new List<CycleRun>();
        ChangePreview? firstApply = null;
        for (var r = 1; r <= options.Repeat; r++)
        {
            await router.ResetAsync(ct);
            var (preview, run) = await CycleAsync(console, ct);
            firstApply ??= preview;
            if (preview.Transaction != firstApply.Transaction)
                throw new InvalidOperationException("Two applies from the same empty router planned different restore scripts.");
            fullCycles.Add(run);
            log($"N={size:N0}: full cycle {r}/{options.Repeat}: {run.TotalMs:N0} ms (preview {run.PreviewMs:N0}, apply {run.ApplyMs:N0})");
        }
        await EnsureRulesAsync(size, "the full cycle", ct);

        // The everyday case: one client moved to another address on top of N rules.
        await ToggleAsync(console, seeded, 1, size, ct);
        var smallChangePieces = await ProfilePiecesAsync(console, ct);
        var smallChanges = new List<CycleRun>();
        for (var r = 1; r <= options.Repeat; r++)
        {
            if (r > 1) await ToggleAsync(console, seeded, r, size, ct);
            var (preview, run) = await CycleAsync(console, ct);
            if (preview.FlowsToReset.Count != 1)
                throw new InvalidOperationException($"Reassigning one client should reset one flow, not {preview.FlowsToReset.Count}.");
            smallChanges.Add(run);
            log($"N={size:N0}: 1-change cycle {r}/{options.Repeat}: {run.TotalMs:N0} ms (preview {run.PreviewMs:N0}, apply {run.ApplyMs:N0})");
        }
        await EnsureRulesAsync(size, "the small change", ct);

        var script = firstApply!.Transaction;
        var bare = await BareRestoreAsync(script, size, ct);
        var ruleByRule = await RuleByRuleAsync((OwnedState)firstApply.Change.Desired, size, ct);

        var queries = withQueries ? await InventoryQueries.MeasureAsync(console, options.QueryRepeat, log, ct) : [];
        var databaseBytes = console.DatabaseBytes();
        var history = withHistory && options.HistoryChanges > 0 ? await HistoryAsync(size, ct) : null;
        return new SizeResult(size, fullCycles, smallChanges, bare, ruleByRule, fromEmptyPieces, smallChangePieces,
            System.Text.Encoding.UTF8.GetByteCount(script), databaseBytes, queries) { History = history };
    }

    /// <summary>The history's growth on a database of its own, so the cycles' and the profile's revisions do not count.</summary>
    private async Task<HistoryGrowthResult> HistoryAsync(int size, CancellationToken ct)
    {
        await using var console = await BenchInventory.StartConsoleAsync(router.RouterNamespace);
        var seeded = await console.SeedAsync(size, ct);
        await router.ResetAsync(ct);
        return await HistoryGrowth.RunAsync(console, seeded, options.HistoryChanges, log, ct);
    }

    /// <summary>Preview, then apply exactly what was previewed, as the Apply page does.</summary>
    internal static async Task<(ChangePreview Preview, CycleRun Run)> CycleAsync(TestConsole console, CancellationToken ct)
    {
        var memory = MemoryProbe.Start();
        using var timeline = new ApplyTimeline(console.Gate);
        var (preview, previewMs) = await Timing.TimeAsync(() => console.Engine.PreviewApplyAsync(ct));
        var (result, applyMs) = await Timing.TimeAsync(() => console.Engine.ApplyAsync(new ApplyRequest(BenchInventory.Admin, Reason, preview.Fingerprint), ct));
        var used = memory.Stop();
        if (result.Kind != ApplyResultKind.Applied)
            throw new InvalidOperationException($"The apply did not go through ({result.Kind}): {result.Message} {result.Error}");
        return (preview, new CycleRun(previewMs, applyMs, timeline.StepMilliseconds(), preview.FlowsToReset.Count, used));
    }

    /// <summary>
    /// Moves the first client between its own address and the spare one, so every repetition is a real change. Not
    /// part of the cycle, but logged: it is the administrator's edit before the apply.
    /// </summary>
    private async Task ToggleAsync(TestConsole console, SeededInventory seeded, int repetition, int size, CancellationToken ct)
    {
        var ms = await Timing.TimeAsync(() => console.Assignments.ReassignAsync(seeded.MovingAssignmentId,
            repetition % 2 == 1 ? seeded.SpareAddressId : seeded.OriginalAddressId, BenchInventory.Admin, ct));
        log($"N={size:N0}: reassigned one client in {ms:N0} ms (AssignmentService.ReassignAsync)");
    }

    /// <summary>The restore text the engine produced, fed to iptables-restore --noflush with nothing around it.</summary>
    private async Task<Samples> BareRestoreAsync(string script, int size, CancellationToken ct)
    {
        var times = new List<double>();
        for (var r = 1; r <= options.Repeat; r++)
        {
            await router.ResetAsync(ct);
            times.Add((await Timing.TimeAsync(() => router.ExecAsync("iptables-restore", ["--noflush"], script, ct))).Milliseconds);
            log($"N={size:N0}: bare iptables-restore {r}/{options.Repeat}: {times[^1]:N1} ms");
        }
        await EnsureRulesAsync(size, "the bare restore", ct);
        return Samples.Of(times);
    }

    /// <summary>The seed's way: create the chain, one iptables process per rule, then the jump.</summary>
    private async Task<Samples> RuleByRuleAsync(OwnedState desired, int size, CancellationToken ct)
    {
        var times = new List<double>();
        for (var r = 1; r <= options.RuleByRuleRepeat; r++)
        {
            await router.ResetAsync(ct);
            times.Add(await Timing.TimeAsync(async () =>
            {
                await router.ExecAsync("iptables", ["-t", "nat", "-N", OwnedChains.Snat], ct: ct);
                foreach (var rule in desired.SnatRules)
                    await router.ExecAsync("iptables", ["-t", "nat", "-A", rule.Chain, .. rule.Arguments], ct: ct);
                await router.ExecAsync("iptables", ["-t", "nat", "-I", OwnedChains.Postrouting, "1", .. OwnedChains.JumpRule.Arguments], ct: ct);
            }));
            log($"N={size:N0}: rule by rule {r}/{options.RuleByRuleRepeat}: {times[^1]:N0} ms");
            await EnsureRulesAsync(size, "the rule-by-rule run", ct);
        }
        return Samples.Of(times);
    }

    /// <summary>
    /// The pieces the cycle is made of, called directly against the current kernel and inventory (nothing is changed),
    /// to say where the time inside the engine's planning and recording goes.
    /// </summary>
    private async Task<IReadOnlyList<Piece>> ProfilePiecesAsync(TestConsole console, CancellationToken ct)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var names = new List<string>();
        var values = new Dictionary<string, List<double>>();
        void Add(string name, double ms)
        {
            if (!values.TryGetValue(name, out var list)) { names.Add(name); values[name] = list = []; }
            list.Add(ms);
        }

        var backend = console.Get<IIptablesHost>();
        var reader = console.Get<IptablesBackend>();
        for (var r = 0; r < options.Repeat; r++)
        {
            var (inventory, captureMs) = await Timing.TimeAsync(() => console.Store.CaptureAsync(ct));
            Add("inventory capture (EF Core, SQLite)", captureMs);
            var (desired, planMs) = Timing.Time(() => IptablesRules.Render(FirewallPlanner.Plan(inventory)));
            Add("plan and render (FirewallPlanner, IptablesRules)", planMs);
            var (natText, saveMs) = await Timing.TimeAsync(() => backend.SaveNatTableAsync(withCounters: false, ct));
            Add("iptables-save -t nat (process)", saveMs);
            var (addresses, addrMs) = await Timing.TimeAsync(() => backend.ReadAddressesAsync(ct));
            Add("ip -j addr show (process)", addrMs);
            var (live, parseMs) = Timing.Time(() => LiveStateBuilder.Build(natText, addresses));
            Add("parse iptables-save (LiveStateBuilder)", parseMs);
            Add("read live state (LiveStateReader, both tools in parallel + parse)", (await Timing.TimeAsync(() => reader.ReadKernelAsync(ct))).Milliseconds);
            var (preview, compareMs) = Timing.Time(() => IptablesDiffer.Compare(desired, live));
            Add("diff (IptablesDiffer.Compare), all of it", compareMs);
            var (views, renderMs) = Timing.Time(() => (IptablesDiffer.RenderView(live.Owned, live), IptablesDiffer.RenderView(desired, live)));
            Add("  of which: render both views", renderMs);
            Add("  of which: DiffPlex line diff (only when shown)", Timing.Time(() => InlineDiffBuilder.Diff(views.Item1, views.Item2, ignoreWhiteSpace: false)).Milliseconds);
            Add("  of which: restore script (RestoreScriptWriter)", Timing.Time(() => RestoreScriptWriter.Write(desired, live.Owned)).Milliseconds);
            Add("  of which: change counts (from the states)", Timing.Time(() => preview.RulesAdded + preview.RulesRemoved).Milliseconds);
            Add("fingerprint (SHA-256 of the script)", Timing.Time(() => new ChangePreview(preview, []).Fingerprint).Milliseconds);
            var (revision, textsMs) = Timing.Time(() => new Revision
            {
                Kind = RevisionKind.Apply,
                Status = RevisionStatus.Failed,
                Actor = BenchInventory.Admin.Name,
                Reason = "profile",
                StartedAt = DateTimeOffset.UtcNow,
                Backend = backend.Name,
                Namespace = backend.Namespace,
                Snapshot = new RevisionSnapshot
                {
                    RestoreScript = preview.RestoreScript,
                    CommandsText = string.Join('\n', console.Get<KernelTransaction>().Describe(preview)),
                    BeforeStateJson = live.Owned.ToJson(),
                    AfterStateJson = desired.ToJson(),
                    BeforeNatTable = live.NatTableText,
                    InventoryJson = inventory.ToJson(),
                },
            });
            Add("revision texts (commands, 3 × JSON)", textsMs);
            var (insertMs, recordMs) = await WriteRevisionAsync(console, revision, ct);
            Add("SQLite: insert that revision (SaveChanges)", insertMs);
            Add("SQLite: finish it + audit entry in a transaction", recordMs);
            Add("drift and pending check (ApplyEngine.CheckAsync: one read, two comparisons)", (await Timing.TimeAsync(() => console.Engine.CheckAsync(ct))).Milliseconds);
            Add("verify (IptablesDiffer.Compare(...).InSync, no line diff)", Timing.Time(() => IptablesDiffer.Compare(desired, live).InSync).Milliseconds);
            // The floor under every command the engine runs per flow: a process through ip netns exec, and one conntrack lookup.
            Add("one process: ip netns exec <router> true", (await Timing.TimeAsync(() => router.ExecAsync("true", [], ct: ct))).Milliseconds);
            Add(OneConntrackDelete, (await Timing.TimeAsync(() => backend.FindFlowsAsync([UnusedFlow], ct))).Milliseconds);
            Add(OneConntrackList, (await Timing.TimeAsync(() => backend.ListFlowsAsync(ct))).Milliseconds);
        }
        log($"profiled the pieces {options.Repeat} time(s) in {Timing.Milliseconds(started):N0} ms");
        return names.Select(n => new Piece(n, Samples.Of(values[n]))).ToArray();
    }

    /// <summary>
    /// The snapshot's insert and the record step's update, done as ApplyEngine does them, with a revision of the real
    /// size; it is marked failed and deleted again afterwards (not timed), so the engine never sees it.
    /// </summary>
    private async Task<(double InsertMs, double RecordMs)> WriteRevisionAsync(TestConsole console, Revision revision, CancellationToken ct)
    {
        await using var db = await console.OpenDatabaseAsync();
        var insertMs = await Timing.TimeAsync(async () =>
        {
            db.Revisions.Add(revision);
            await db.SaveChangesAsync(ct);
        });
        var recordMs = await Timing.TimeAsync(async () =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            revision.FinishedAt = DateTimeOffset.UtcNow;
            revision.Outcome = "profile";
            db.Record(TimeProvider.System, revision.Actor, "profile", $"Revision {revision.Id}");
            await db.SaveChangesAsync(ct);
            await transaction.CommitAsync(ct);
        });
        db.Revisions.Remove(revision);
        db.Audit.RemoveRange(db.ChangeTracker.Entries<AuditEntry>().Select(e => e.Entity).ToArray());
        var (_, cleanupMs) = await Timing.TimeAsync(() => db.SaveChangesAsync(ct));
        if (cleanupMs > 1_000) log($"deleting the profiled revision took {cleanupMs:N0} ms");
        return (insertMs, recordMs);
    }

    private async Task EnsureRulesAsync(int size, string what, CancellationToken ct)
    {
        var count = await router.CountRulesAsync(OwnedChains.Snat, ct);
        if (count != size)
            throw new InvalidOperationException($"After {what} the owned chain holds {count} rules, not {size}.");
    }
}
