namespace RouterAdmin.TestSupport;

/// <summary>
/// Waiting for something that happens on another thread or in another process by looking at it, not by sleeping: a
/// passing run waits only as long as the thing takes, and a slow machine gets the whole budget before a failure.
/// </summary>
public static class Eventually
{
    public static readonly TimeSpan DefaultBudget = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(20);

    public static Task UntilAsync(Func<bool> condition, string what, TimeSpan? within = null, CancellationToken ct = default) =>
        UntilAsync(() => Task.FromResult(condition()), what, within, ct);

    public static async Task UntilAsync(Func<Task<bool>> condition, string what, TimeSpan? within = null, CancellationToken ct = default)
    {
        var budget = within ?? DefaultBudget;
        var started = TimeProvider.System.GetTimestamp();
        while (!await condition())
        {
            if (TimeProvider.System.GetElapsedTime(started) > budget)
                Assert.Fail($"Waited {budget.TotalSeconds:0.#} s for {what}, and it did not happen.");
            await Task.Delay(PollInterval, ct);
        }
    }
}
