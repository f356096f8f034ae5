using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using RouterAdmin.Data;
using RouterAdmin.Firewall.Planning;
using RouterAdmin.Inventory;
using RouterAdmin.Tests.Support;
using Xunit;

namespace RouterAdmin.Tests.Inventory;

/// <summary>
/// The load test found it: an API client created a client and assigned it while an apply was capturing the inventory,
/// between the capture's clients query and its assignments query. The capture held the assignment but not its client,
/// and the planner answered the apply with a 500. A capture is one state of the database, whatever commits meanwhile.
/// </summary>
public sealed class CaptureConsistencySpecs : InventorySpecs
{
    [Fact]
    public async Task A_client_created_and_assigned_in_the_middle_of_a_capture_is_either_wholly_in_it_or_not_at_all()
    {
        var endpoint = await AddEndpointAsync("Contivity", "198.51.100.10");
        var external = await AddExternalAsync("203.0.113.10");
        await AddExternalAsync("203.0.113.11");
        await AssignAsync(await AddClientAsync("Alice", "192.168.1.2"), endpoint, external);

        // Another server instance on the same file does the write, at the worst moment: right after the clients were read.
        using var otherServer = new InventoryServices(Database.IndependentFactory(), Clock);
        var interleaved = new WriteAfterClientsQuery(async () =>
        {
            var late = await otherServer.Clients.CreateAsync(Make.Client("Late", "192.168.1.3"), Actors.Admin, Ct);
            await otherServer.Assignments.AssignFreeAsync(late, endpoint, Actors.Admin, Ct);
        });
        await using var provider = new ServiceCollection()
            .AddDbContextFactory<AppDbContext>(o => o.UseSqlite(Database.ConnectionString).AddInventoryInterceptors().AddInterceptors(interleaved))
            .BuildServiceProvider();
        using var capturing = new InventoryServices(provider.GetRequiredService<IDbContextFactory<AppDbContext>>(), Clock);

        var snapshot = await capturing.Store.CaptureAsync(Ct);

        Assert.True(interleaved.Wrote, "the other server's write ran between the capture's queries");
        var now = await Store.CaptureAsync(Ct);
        Assert.Contains(now.Clients, c => c.Name == "Late");
        Assert.Equal(2, now.Assignments.Count);
        Assert.All(snapshot.Assignments, a => Assert.Contains(snapshot.Clients, c => c.Id == a.ClientId));
        Assert.Equal(["Alice"], snapshot.Clients.Select(c => c.Name));
        Assert.Single(FirewallPlanner.Plan(snapshot).Mappings);
    }

    /// <summary>Runs a write once, as soon as a query over the clients has started returning rows.</summary>
    private sealed class WriteAfterClientsQuery(Func<Task> write) : DbCommandInterceptor
    {
        public bool Wrote { get; private set; }

        public override async ValueTask<DbDataReader> ReaderExecutedAsync(DbCommand command, CommandExecutedEventData eventData, DbDataReader result, CancellationToken cancellationToken = default)
        {
            if (!Wrote && command.CommandText.Contains("FROM \"Clients\"", StringComparison.Ordinal))
            {
                Wrote = true;
                await write();
            }
            return result;
        }
    }
}
