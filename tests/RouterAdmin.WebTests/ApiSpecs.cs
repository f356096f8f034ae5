using System.Net;
using System.Net.Http.Json;
using RouterAdmin.TestSupport.Lab;
using RouterAdmin.Security;
using Xunit;

namespace RouterAdmin.WebTests;

/// <summary>The JSON API's status codes tell a script the truth about an apply.</summary>
public sealed class ApiSpecs
{
    [LabFact]
    public async Task An_apply_that_fails_on_the_router_answers_500_with_the_step_and_the_tools_words()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var lab = await NetnsLab.CreateAsync(ct: ct);
        await using var console = await TestConsole.StartAsync((ConsoleSetup.OnLab(lab) with { Web = true })
            .With("RouterAdmin:Firewall:Paths:IptablesRestore", "/nonexistent/iptables-restore"));
        await console.CreateUserAsync("admin", UserRole.Admin);
        using var admin = console.CreateClient();
        await TestConsole.SignInAsync(admin, "admin");
        var preview = await admin.GetFromJsonAsync<PreviewBody>("/api/v1/preview", ct);

        using var response = await admin.PostAsJsonAsync("/api/v1/apply", new { Reason = "install the chain", preview!.Fingerprint }, ct);

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync(ct);
        Assert.Contains("\"failedStep\":\"iptables-restore\"", body);
        Assert.Contains("/nonexistent/iptables-restore", body);
    }

    private sealed record PreviewBody(bool InSync, string Fingerprint);
}
