using RouterAdmin.Firewall.Status;
using RouterAdmin.Tests.Support;
using Xunit;

namespace RouterAdmin.Tests.Apply;

/// <summary>Every inventory edit asks for a fresh status; a burst of them must not read the router once per edit.</summary>
public sealed class StatusCoalescingSpecs : ApplyEngineSpecs
{
    [Fact]
    public async Task A_burst_of_edits_while_a_refresh_reads_the_router_costs_one_more_read_not_one_per_edit()
    {
        var monitor = Router.Get<FirewallStatusMonitor>();
        await monitor.RefreshAsync(Ct);
        var readsBefore = monitor.Reads;
        var reading = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Router.Kernel.BeforeEachSave = async () => { reading.TrySetResult(); await release.Task; };

        const int burst = 25;
        for (var i = 0; i < burst; i++)
        {
            await Clients.CreateAsync(Make.Client($"Employee {i}", $"192.168.1.{20 + i}"), Actors.Admin, Ct);
            // The first edit's refresh is now inside its read; all the others arrive while it is there.
            if (i == 0) await reading.Task.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        }
        var queued = monitor.RequestRefresh();
        Router.Kernel.BeforeEachSave = null;
        release.SetResult();
        await queued.WaitAsync(TimeSpan.FromSeconds(10), Ct);

        Assert.Equal(2, monitor.Reads - readsBefore);
        Assert.False(monitor.Current!.InSync);
        Assert.Equal(burst, (await Store.CountAsync(Ct)).Clients);
    }
}
