using RouterAdmin.Firewall.Apply;

namespace RouterAdmin.Bench;

/// <summary>
/// One preview and one apply through ApplyEngine, timed from outside and step by step from inside. The apply is the
/// full cycle (it plans, diffs, snapshots, restores, verifies, resets conntrack and records on its own); the preview
/// before it is what the administrator reads, reported beside it.
/// </summary>
public sealed record CycleRun(double PreviewMs, double ApplyMs, IReadOnlyDictionary<ApplyStep, double> Steps, int FlowsReset, MemoryUse Memory)
{
    public double TotalMs => ApplyMs;
    public double WithPreviewMs => PreviewMs + ApplyMs;
}

/// <summary>A piece of the cycle called directly (planner, reader, differ, …), repeated.</summary>
public sealed record Piece(string Name, Samples Milliseconds);

public sealed record QueryResult(string Name, double FirstMs, Samples Milliseconds, string Rows);

/// <summary>The run as a whole: how long it took and how busy the machine was around it.</summary>
public sealed record RunInfo(TimeSpan Duration, string LoadAtStart, string LoadAtEnd);

public sealed record SizeResult(
    int Size,
    IReadOnlyList<CycleRun> FullCycles,
    IReadOnlyList<CycleRun> SmallChanges,
    Samples BareRestore,
    Samples RuleByRule,
    IReadOnlyList<Piece> FromEmptyPieces,
    IReadOnlyList<Piece> SmallChangePieces,
    int RestoreScriptBytes,
    long DatabaseBytes,
    IReadOnlyList<QueryResult> Queries)
{
    public Samples FullCycle => Samples.Of(FullCycles.Select(c => c.TotalMs));
    public Samples FullPreview => Samples.Of(FullCycles.Select(c => c.PreviewMs));
    public Samples FullApply => Samples.Of(FullCycles.Select(c => c.ApplyMs));
    public Samples SmallCycle => Samples.Of(SmallChanges.Select(c => c.TotalMs));
    public Samples SmallPreview => Samples.Of(SmallChanges.Select(c => c.PreviewMs));
    public Samples SmallApply => Samples.Of(SmallChanges.Select(c => c.ApplyMs));

    public Samples FullWithPreview => Samples.Of(FullCycles.Select(c => c.WithPreviewMs));
    public Samples SmallWithPreview => Samples.Of(SmallChanges.Select(c => c.WithPreviewMs));

    /// <summary>The history's growth on disk, measured at the largest size only.</summary>
    public HistoryGrowthResult? History { get; init; }

    public double CycleOverBare => FullCycle.Median / BareRestore.Median;

    public double PieceMedian(string name) => FromEmptyPieces.Single(p => p.Name == name).Milliseconds.Median;
    public double? RuleByRuleOverCycle => RuleByRule.IsEmpty ? null : RuleByRule.Median / FullCycle.Median;
}
