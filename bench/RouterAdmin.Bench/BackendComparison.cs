using RouterAdmin.Firewall.Apply;

namespace RouterAdmin.Bench;

/// <summary>
/// The everyday change on each real backend, side by side in one run: one client reassigned on top of N mappings,
/// the whole cycle as the engine runs it (preview, then apply: snapshot, transaction, verify, conntrack, record).
/// </summary>
public static class BackendComparison
{
    private static readonly string[] Backends = ["Iptables", "Nftables"];

    public static async Task RunAsync(BenchRouter router, BenchOptions options, Action<string> log, CancellationToken ct)
    {
        foreach (var size in options.Sizes)
        foreach (var backend in Backends)
        {
            await router.ResetAsync(ct);
            await router.ExecAsync("nft", ["add", "table", "ip", "routeradmin"], ct: ct);
            await router.ExecAsync("nft", ["delete", "table", "ip", "routeradmin"], ct: ct);
            await using var console = await BenchInventory.StartConsoleAsync(router.RouterNamespace, backend);
            var seeded = await console.SeedAsync(size, ct);
            var first = await CycleAsync(console, ct);
            log($"{backend} N={size:N0}: first apply {first.Total:N0} ms");
            var runs = new List<(double Total, double Preview, IReadOnlyDictionary<ApplyStep, double> Steps)>();
            for (var r = 0; r <= options.Repeat; r++)
            {
                await console.Assignments.ReassignAsync(seeded.MovingAssignmentId, r % 2 == 0 ? seeded.SpareAddressId : seeded.OriginalAddressId, BenchInventory.Admin, ct);
                var run = await CycleAsync(console, ct);
                if (r > 0) runs.Add(run); // the first is warm-up (JIT of the small-change path)
            }
            var total = Samples.Of(runs.Select(r => r.Total));
            var steps = string.Join(", ", runs[0].Steps.Keys.Select(step => $"{step} {Samples.Of(runs.Select(r => r.Steps.GetValueOrDefault(step))).Median:N1}"));
            log($"{backend} N={size:N0}: one client reassigned, {runs.Count} runs: median {total.Median:N1} ms (min {total.Min:N1}, max {total.Max:N1}); "
                + $"preview median {Samples.Of(runs.Select(r => r.Preview)).Median:N1} ms; apply steps (median ms): {steps}");
        }
    }

    private static async Task<(double Total, double Preview, IReadOnlyDictionary<ApplyStep, double> Steps)> CycleAsync(TestConsole console, CancellationToken ct)
    {
        using var timeline = new ApplyTimeline(console.Gate);
        var (preview, previewMs) = await Timing.TimeAsync(() => console.Engine.PreviewApplyAsync(ct));
        var (result, applyMs) = await Timing.TimeAsync(() => console.Engine.ApplyAsync(new ApplyRequest(BenchInventory.Admin, "benchmark", preview.Fingerprint), ct));
        if (result.Kind != ApplyResultKind.Applied)
            throw new InvalidOperationException($"The apply did not go through ({result.Kind}): {result.Message} {result.Error}");
        return (applyMs, previewMs, timeline.StepMilliseconds());
    }
}
