using Microsoft.EntityFrameworkCore;
using RouterAdmin.Data;
using RouterAdmin.Tests.Support;
using Xunit;

namespace RouterAdmin.Tests.Inventory;

/// <summary>Every write raises the one change notification, a whole-inventory replace only once its transaction commits.</summary>
public sealed class ChangeNotificationSpecs : InventorySpecs
{
    [Fact]
    public async Task A_replace_in_the_callers_transaction_is_announced_when_it_commits_and_not_before()
    {
        await AddClientAsync("Alice", "192.168.1.2");
        var raised = 0;
        using var subscription = Inventory.Changes.NotifyOnChange(() => raised++);
        await using var db = Database.NewContext();
        await using var transaction = await db.Database.BeginTransactionAsync(Ct);

        await Store.ReplaceAsync(db, (await Store.CaptureAsync(db, Ct)) with { Clients = [] }, Ct);
        Assert.Equal(0, raised);
        await transaction.CommitAsync(Ct);

        Assert.Equal(1, raised);
        Assert.Empty((await Store.CaptureAsync(Ct)).Clients);
    }

    [Fact]
    public async Task A_replace_whose_transaction_rolls_back_is_not_announced_and_changes_nothing()
    {
        await AddClientAsync("Alice", "192.168.1.2");
        var before = await InventoryJsonAsync();
        var raised = 0;
        using var subscription = Inventory.Changes.NotifyOnChange(() => raised++);
        await using (var db = Database.NewContext())
        {
            await using var transaction = await db.Database.BeginTransactionAsync(Ct);
            await Store.ReplaceAsync(db, (await Store.CaptureAsync(db, Ct)) with { Clients = [] }, Ct);
            await transaction.RollbackAsync(Ct);
        }

        Assert.Equal(0, raised);
        Assert.Equal(before, await InventoryJsonAsync());
    }

    [Fact]
    public async Task A_replace_without_a_transaction_runs_in_its_own_and_is_announced()
    {
        await AddClientAsync("Alice", "192.168.1.2");
        var raised = 0;
        using var subscription = Inventory.Changes.NotifyOnChange(() => { raised++; return Task.CompletedTask; });
        await using var db = Database.NewContext();

        await Store.ReplaceAsync(db, (await Store.CaptureAsync(db, Ct)) with { Clients = [] }, Ct);

        Assert.Equal(1, raised);
        Assert.Empty((await Store.CaptureAsync(Ct)).Clients);
    }

    [Fact]
    public async Task A_replace_in_a_context_built_without_the_commit_hook_is_refused_rather_than_left_unannounced()
    {
        var before = await InventoryJsonAsync();
        var options = new DbContextOptionsBuilder<AppDbContext>().UseSqlite(Database.ConnectionString).Options;
        await using var db = new AppDbContext(options);
        await using var transaction = await db.Database.BeginTransactionAsync(Ct);

        var emptied = (await Store.CaptureAsync(db, Ct)) with { Clients = [] };

        await Assert.ThrowsAsync<InvalidOperationException>(() => Store.ReplaceAsync(db, emptied, Ct));

        await transaction.RollbackAsync(Ct);
        Assert.Equal(before, await InventoryJsonAsync());
    }

    [Fact]
    public async Task A_disposed_subscription_is_not_called_again()
    {
        var raised = 0;
        var subscription = Inventory.Changes.NotifyOnChange(() => raised++);
        await AddClientAsync("Alice", "192.168.1.2");
        subscription.Dispose();

        await AddClientAsync("Bob", "192.168.1.3");

        Assert.Equal(1, raised);
    }
}
