using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using MudBlazor.Services;
using RouterAdmin.Components.Layout;
using RouterAdmin.Firewall.Apply;
using RouterAdmin.Tests.Support;
using Xunit;

namespace RouterAdmin.Tests.Pages;

/// <summary>Every open page shows who is changing the router and at which step, and the line goes when the change ends.</summary>
public sealed class ApplyProgressBarSpecs : BunitContext
{
    private readonly string _folder = TestDatabase.NewFolder();

    public ApplyProgressBarSpecs()
    {
        JSInterop.Mode = JSRuntimeMode.Loose;
        Services.AddMudServices();
        Services.AddSingleton(new ApplyGate(Path.Combine(_folder, "apply.lock")));
    }

    [Fact]
    public async Task A_running_change_shows_its_author_kind_and_step_on_every_page_until_it_ends()
    {
        var gate = Services.GetRequiredService<ApplyGate>();
        var bar = Render<ApplyProgressBar>();
        Assert.Empty(bar.FindAll("[data-testid=apply-progress]"));

        var held = await gate.EnterAsync("ada", "apply", new FakeTimeProvider(), Xunit.TestContext.Current.CancellationToken);
        bar.WaitForAssertion(() => Assert.Equal("ada: apply in progress — Planning", bar.Find("[data-testid=apply-progress]").TextContent.Trim()));

        gate.Report(new ApplyProgress(ApplyStep.Snapshot, "Saving a snapshot of the current state"));
        bar.WaitForAssertion(() => Assert.Contains("in progress — Saving a snapshot of the current state", bar.Find("[data-testid=apply-progress]").TextContent));

        await held.DisposeAsync();
        bar.WaitForAssertion(() => Assert.Empty(bar.FindAll("[data-testid=apply-progress]")));
    }

    protected override async ValueTask DisposeAsyncCore()
    {
        await base.DisposeAsyncCore();
        Directory.Delete(_folder, recursive: true);
    }
}
