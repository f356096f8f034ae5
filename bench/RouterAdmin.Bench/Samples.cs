using System.Diagnostics;

namespace RouterAdmin.Bench;

/// <summary>Repeated measurements of one thing (milliseconds, bytes, …) and the statistics the report shows.</summary>
public sealed record Samples(IReadOnlyList<double> Values)
{
    public static Samples Of(IEnumerable<double> values) => new(values.ToArray());

    public bool IsEmpty => Values.Count == 0;
    public int Count => Values.Count;
    public double Min => Values.Min();
    public double Max => Values.Max();

    /// <summary>The value <paramref name="fraction"/> of the samples are at or below (nearest rank).</summary>
    public double Percentile(double fraction)
    {
        var sorted = Values.Order().ToArray();
        return sorted[Math.Clamp((int)Math.Ceiling(sorted.Length * fraction) - 1, 0, sorted.Length - 1)];
    }

    public double Median
    {
        get
        {
            var sorted = Values.Order().ToArray();
            var middle = sorted.Length / 2;
            return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
        }
    }
}

internal static class Timing
{
    public static double Milliseconds(long startTimestamp) => Stopwatch.GetElapsedTime(startTimestamp).TotalMilliseconds;

    public static double Milliseconds(long startTimestamp, long endTimestamp) =>
        Stopwatch.GetElapsedTime(startTimestamp, endTimestamp).TotalMilliseconds;

    public static async Task<(T Result, double Milliseconds)> TimeAsync<T>(Func<Task<T>> action)
    {
        var started = Stopwatch.GetTimestamp();
        var result = await action();
        return (result, Milliseconds(started));
    }

    public static async Task<double> TimeAsync(Func<Task> action)
    {
        var started = Stopwatch.GetTimestamp();
        await action();
        return Milliseconds(started);
    }

    public static (T Result, double Milliseconds) Time<T>(Func<T> action)
    {
        var started = Stopwatch.GetTimestamp();
        var result = action();
        return (result, Milliseconds(started));
    }
}
