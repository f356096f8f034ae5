using System.Diagnostics;

namespace RouterAdmin.Bench;

/// <summary>What one operation cost in memory: bytes the GC handed out, and the process's peak resident set while it ran.</summary>
public sealed record MemoryUse(long AllocatedBytes, long PeakWorkingSetBytes, bool PeakIsForThisOperation);

/// <summary>
/// Brackets an operation with GC.GetTotalAllocatedBytes and Process.PeakWorkingSet64 (VmHWM on Linux). The kernel lets
/// a process reset its own high-water mark (writing 5 to /proc/self/clear_refs), so the peak is the operation's own and
/// not whatever an earlier, larger phase of the run reached; where that is not allowed, the peak is the process's so far.
/// </summary>
public sealed class MemoryProbe
{
    private readonly long _allocatedBefore;
    private readonly bool _peakReset;

    private MemoryProbe(long allocatedBefore, bool peakReset)
    {
        _allocatedBefore = allocatedBefore;
        _peakReset = peakReset;
    }

    public static MemoryProbe Start()
    {
        var reset = TryResetPeak();
        return new MemoryProbe(GC.GetTotalAllocatedBytes(precise: true), reset);
    }

    public MemoryUse Stop()
    {
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - _allocatedBefore;
        using var process = Process.GetCurrentProcess();
        return new MemoryUse(allocated, process.PeakWorkingSet64, _peakReset);
    }

    private static bool TryResetPeak()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
