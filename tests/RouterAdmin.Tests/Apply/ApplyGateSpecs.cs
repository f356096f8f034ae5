using RouterAdmin.Firewall.Apply;
using RouterAdmin.Tests.Support;
using Xunit;

namespace RouterAdmin.Tests.Apply;

/// <summary>One apply at a time, also between processes: the lock file beside the database is exclusive.</summary>
public sealed class ApplyGateSpecs
{
    [Fact]
    public async Task A_second_gate_on_the_same_lock_file_waits_until_the_first_is_left()
    {
        var ct = TestContext.Current.CancellationToken;
        var folder = TestDatabase.NewFolder();
        try
        {
            var lockFile = Path.Combine(folder, "apply.lock");
            // Two gates stand for two processes (the console and a verb): each opens the file on its own.
            var console = new ApplyGate(lockFile);
            var verb = new ApplyGate(lockFile);

            var held = await console.EnterAsync("ada", "apply", TimeProvider.System, ct);
            var waiting = verb.EnterAsync("cli", "recovery", TimeProvider.System, ct);
            await Eventually.UntilAsync(() => verb.WaitingForAnotherProcess, "the verb to find the lock file held", ct: ct);
            Assert.False(waiting.IsCompleted, "the verb must wait while the console is applying");
            Assert.Equal("ada", console.Running?.Actor);

            await held.DisposeAsync();
            await using var second = await waiting.WaitAsync(TimeSpan.FromSeconds(5), ct);
            Assert.Equal("cli", verb.Running?.Actor);
            Assert.False(verb.WaitingForAnotherProcess);
            Assert.Null(console.Running);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
