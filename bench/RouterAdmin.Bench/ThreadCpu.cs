using System.Runtime.InteropServices;

namespace RouterAdmin.Bench;

/// <summary>
/// The CPU time of the calling OS thread (a dedicated managed thread is one), which the per-packet measurements read
/// around their send loops: on this kernel it carries the softirq work that takes each packet through the router
/// (see <see cref="FlowRate"/>), and not the time other processes on a shared machine took the core away.
/// </summary>
internal static class ThreadCpu
{
    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    private const int ClockThreadCpuTime = 3;

    [DllImport("libc", EntryPoint = "clock_gettime", SetLastError = true)]
    private static extern int ClockGetTime(int clock, out TimeSpec time);

    public static double Seconds() =>
        ClockGetTime(ClockThreadCpuTime, out var t) == 0 ? t.Seconds + t.Nanoseconds / 1e9 : throw new System.ComponentModel.Win32Exception(Marshal.GetLastPInvokeError());
}
