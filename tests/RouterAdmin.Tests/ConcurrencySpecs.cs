using Microsoft.EntityFrameworkCore;
using RouterAdmin.Inventory;
using RouterAdmin.Refusals;
using RouterAdmin.Tests.Support;
using Xunit;

namespace RouterAdmin.Tests;

/// <summary>
/// Two administrators, each with their own service and database connections on the same SQLite file, press
/// "Assign free IP" at the same moment. The database's unique index decides: exactly one wins.
/// </summary>
public sealed class ConcurrencySpecs : InventorySpecs
{
    private const int Rounds = 8;

    /// <summary>Starts every attempt, then releases them all at once (no thread blocks while waiting), and collects how each ended.</summary>
    private static async Task<(AssignmentRow? Row, Exception? Error)[]> RaceAsync(params Func<Task<AssignmentRow>>[] attempts)
    {
        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var tasks = attempts.Select(attempt => Task.Run(async () =>
        {
            await go.Task;
            try { return ((AssignmentRow?)await attempt(), (Exception?)null); }
            catch (Exception e) { return (null, e); }
        }, TestContext.Current.CancellationToken)).ToArray();
        go.SetResult();
        return await Task.WhenAll(tasks);
    }

    [Fact]
    public async Task Two_administrators_taking_the_last_free_address_at_once_one_wins_and_the_other_is_told_none_is_free()
    {
        using var firstServer = new InventoryServices(Database.IndependentFactory(), Clock);
        using var secondServer = new InventoryServices(Database.IndependentFactory(), Clock);
        var (first, second) = (firstServer.Assignments, secondServer.Assignments);
        var last = await AddExternalAsync("203.0.113.9");

        for (var round = 0; round < Rounds; round++)
        {
            // A new endpoint each round makes the one external address free again, towards it.
            var vpn = await AddEndpointAsync($"VPN {round}", $"198.51.100.{10 + round}");
            var alice = await AddClientAsync($"Alice {round}", $"192.168.1.{10 + 2 * round}");
            var bob = await AddClientAsync($"Bob {round}", $"192.168.1.{11 + 2 * round}");

            var outcomes = await RaceAsync(
                () => first.AssignFreeAsync(alice, vpn, Actors.Admin, Ct),
                () => second.AssignFreeAsync(bob, vpn, Actors.OtherAdmin, Ct));

            var winner = Assert.Single(outcomes, o => o.Row is not null).Row!;
            var loser = Assert.Single(outcomes, o => o.Error is not null).Error!;
            Assert.Equal("203.0.113.9", winner.ExternalAddress);
            var refusal = Assert.IsAssignableFrom<Conflict>(loser);
            Assert.Equal($"No external address is free for VPN {round}: all 1 are in use. Add an external address, or free one by unassigning.", refusal.Message);

            await using var db = Database.NewContext();
            var holders = await db.Assignments.Where(a => a.EndpointId == vpn && a.ExternalAddressId == last).Select(a => a.ClientId).ToListAsync(Ct);
            Assert.Equal([winner.ClientId], holders);
        }
    }

    [Fact]
    public async Task Two_administrators_assigning_at_once_with_two_free_addresses_both_succeed_with_different_addresses()
    {
        using var firstServer = new InventoryServices(Database.IndependentFactory(), Clock);
        using var secondServer = new InventoryServices(Database.IndependentFactory(), Clock);
        var (first, second) = (firstServer.Assignments, secondServer.Assignments);
        await AddExternalAsync("203.0.113.9");
        await AddExternalAsync("203.0.113.10");

        for (var round = 0; round < Rounds; round++)
        {
            var vpn = await AddEndpointAsync($"VPN {round}", $"198.51.100.{10 + round}");
            var alice = await AddClientAsync($"Alice {round}", $"192.168.1.{10 + 2 * round}");
            var bob = await AddClientAsync($"Bob {round}", $"192.168.1.{11 + 2 * round}");

            var outcomes = await RaceAsync(
                () => first.AssignFreeAsync(alice, vpn, Actors.Admin, Ct),
                () => second.AssignFreeAsync(bob, vpn, Actors.OtherAdmin, Ct));

            Assert.All(outcomes, o => Assert.Null(o.Error));
            Assert.Equal(["203.0.113.10", "203.0.113.9"], outcomes.Select(o => o.Row!.ExternalAddress).Order(StringComparer.Ordinal));
        }
    }

    [Fact]
    public async Task The_same_client_assigned_by_two_administrators_at_once_gets_one_address_and_the_other_is_told_why()
    {
        using var firstServer = new InventoryServices(Database.IndependentFactory(), Clock);
        using var secondServer = new InventoryServices(Database.IndependentFactory(), Clock);
        var (first, second) = (firstServer.Assignments, secondServer.Assignments);
        await AddExternalAsync("203.0.113.9");
        await AddExternalAsync("203.0.113.10");

        for (var round = 0; round < Rounds; round++)
        {
            var vpn = await AddEndpointAsync($"VPN {round}", $"198.51.100.{10 + round}");
            var alice = await AddClientAsync($"Alice {round}", $"192.168.1.{10 + round}");

            var outcomes = await RaceAsync(
                () => first.AssignFreeAsync(alice, vpn, Actors.Admin, Ct),
                () => second.AssignFreeAsync(alice, vpn, Actors.OtherAdmin, Ct));

            Assert.Single(outcomes, o => o.Row is not null);
            var refusal = Assert.IsType<Conflict>(Assert.Single(outcomes, o => o.Error is not null).Error);
            Assert.Contains($"Alice {round}", refusal.Message);
            await using var db = Database.NewContext();
            Assert.Equal(1, await db.Assignments.CountAsync(a => a.EndpointId == vpn && a.ClientId == alice, Ct));
        }
    }
}
