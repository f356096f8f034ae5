using System.Diagnostics;
using RouterAdmin.Firewall.Apply;

namespace RouterAdmin.Bench;

/// <summary>
/// Times the steps of a real apply from the progress ApplyEngine reports through ApplyGate (the same events the UI
/// shows), so the breakdown comes from inside the measured cycle rather than from re-running its pieces. A step runs
/// from its first report to the next different step's; the gate's release ends the last one.
/// </summary>
public sealed class ApplyTimeline : IDisposable
{
    private readonly ApplyGate _gate;
    private readonly Lock _lock = new();
    private readonly List<(long Timestamp, ApplyStep? Step)> _marks = [];

    public ApplyTimeline(ApplyGate gate)
    {
        _gate = gate;
        gate.Changed += OnChanged;
    }

    private void OnChanged()
    {
        var mark = (Stopwatch.GetTimestamp(), _gate.Running?.Progress.Step);
        lock (_lock) _marks.Add(mark);
    }

    /// <summary>Milliseconds spent in each step that was reported, in the order the steps ran.</summary>
    public IReadOnlyDictionary<ApplyStep, double> StepMilliseconds()
    {
        var durations = new Dictionary<ApplyStep, double>();
        lock (_lock)
            for (var i = 0; i + 1 < _marks.Count; i++)
                if (_marks[i].Step is { } step)
                    durations[step] = durations.GetValueOrDefault(step) + Timing.Milliseconds(_marks[i].Timestamp, _marks[i + 1].Timestamp);
        return durations;
    }

    public void Dispose() => _gate.Changed -= OnChanged;
}
