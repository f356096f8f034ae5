using Microsoft.Extensions.DependencyInjection;
using RouterAdmin.Firewall.Apply;
using RouterAdmin.Inventory;
using RouterAdmin.Security;
using RouterAdmin.Tests.Support;
using Xunit;

namespace RouterAdmin.Tests.Firewall;

/// <summary>The preview and the apply after it plan one capture once; any write in between is planned afresh.</summary>
public sealed class PlanReuseSpecs
{
    [Fact]
    public async Task The_apply_after_a_preview_reuses_its_plan_and_an_edit_in_between_is_planned_afresh()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var provider = await CoreServices.OnMigratedFileAsync();
        var targets = provider.GetRequiredService<ApplyTargets>();
        var clients = provider.GetRequiredService<ClientService>();
        await clients.CreateAsync(new ClientDraft { Name = "Alice", LanAddress = "192.168.1.2" }, Actor.System, ct);

        var preview = await targets.ApplyAsync(ct);
        var apply = await targets.ApplyAsync(ct);

        Assert.Same(preview.Inventory, apply.Inventory);
        Assert.Same(preview.Plan, apply.Plan);

        await clients.CreateAsync(new ClientDraft { Name = "Bob", LanAddress = "192.168.1.3" }, Actor.System, ct);
        var afterEdit = await targets.ApplyAsync(ct);

        Assert.NotSame(apply.Plan, afterEdit.Plan);
        Assert.Contains(afterEdit.Inventory.Clients, c => c.Name == "Bob");
    }
}
