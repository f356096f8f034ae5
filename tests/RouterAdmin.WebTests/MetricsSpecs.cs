using System.Net;
using System.Net.Http.Headers;
using RouterAdmin.Inventory;
using RouterAdmin.Inventory.Bulk;
using RouterAdmin.Security;

namespace RouterAdmin.WebTests;

/// <summary>/metrics in the Prometheus text format: what it says after an apply, and who may read it.</summary>
public sealed class MetricsSpecs
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private const string ScrapeToken = "a-scrape-token-of-thirty-two-chars";

    [Fact]
    public async Task A_scrape_after_an_apply_counts_it_and_agrees_with_the_inventory()
    {
        await using var console = await TestConsole.StartAsync(ConsoleSetup.WebApp());
        await console.Endpoints.CreateAsync(new EndpointDraft { Name = "North", Destination = "198.51.100.10" }, TestConsole.Admin, Ct);
        foreach (var address in new[] { "203.0.113.10", "203.0.113.11", "203.0.113.12" })
            await console.Addresses.CreateAsync(new ExternalAddressDraft { Address = address, Interface = "eth1" }, TestConsole.Admin, Ct);
        await console.Import.ImportAsync("name,lan_address,endpoints\nAnn,192.168.1.10,North\nBen,192.168.1.11,North\n", BulkFormat.Csv, new ImportConfirmation(), TestConsole.Admin, Ct);
        var (_, applied) = await console.PreviewAndApplyAsync("two VPN users");
        Assert.True(applied.Succeeded, applied.Message);
        using var viewer = await BulkApiSpecs.SignedInAsync(console, "vera", UserRole.Viewer);

        var text = "";
        await Eventually.UntilAsync(async () =>
        {
            text = await viewer.GetStringAsync("/metrics", Ct);
            return text.Contains("\nrouteradmin_pending_changes 0\n", StringComparison.Ordinal);
        }, "the scrape to see the apply on the router", ct: Ct);

        Assert.Contains("\nrouteradmin_applies_total{kind=\"apply\",result=\"applied\"} 1\n", text);
        Assert.Contains($"\nrouteradmin_revision_in_effect {applied.RevisionId}\n", text);
        Assert.Contains("\nrouteradmin_drift 0\n", text);
        Assert.Contains("\nrouteradmin_last_apply_success 1\n", text);
        Assert.Contains("\nrouteradmin_endpoint_free_addresses{endpoint=\"North\",destination=\"198.51.100.10\"} 1\n", text);
        Assert.Contains("\nrouteradmin_endpoint_assigned_addresses{endpoint=\"North\",destination=\"198.51.100.10\"} 2\n", text);
        foreach (var (client, lan, external) in new[] { ("Ann", "192.168.1.10", "203.0.113.10"), ("Ben", "192.168.1.11", "203.0.113.11") })
        {
            var labels = $"{{client=\"{client}\",client_address=\"{lan}\",endpoint=\"North\",external_address=\"{external}\"}}";
            Assert.Contains($"\nrouteradmin_rule_in_kernel{labels} 1\n", text);
            Assert.Contains($"\nrouteradmin_tunnel_up{labels} 0\n", text);
            Assert.Contains($"\nrouteradmin_rule_packets_total{labels} 0\n", text);
        }
    }

    [Fact]
    public async Task Nobody_anonymous_reads_the_metrics_and_the_scrape_token_is_the_only_other_way_in()
    {
        await using var console = await TestConsole.StartAsync(ConsoleSetup.WebApp().With("RouterAdmin:Metrics:ScrapeToken", ScrapeToken));
        await console.CreateUserAsync("admin", UserRole.Admin); // past the first-run setup, which sends everything to its form
        using var http = console.CreateClient();

        using var anonymous = await http.GetAsync("/metrics", Ct);
        using var wrong = await ScrapeAsync(http, ScrapeToken[..^1] + "X");
        using var right = await ScrapeAsync(http, ScrapeToken);

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal(HttpStatusCode.OK, right.StatusCode);
        Assert.StartsWith("text/plain", right.Content.Headers.ContentType?.MediaType);
        Assert.Contains("# TYPE routeradmin_applies_total counter", await right.Content.ReadAsStringAsync(Ct));
        // The token reads the metrics and nothing else.
        using var api = new HttpRequestMessage(HttpMethod.Get, "/api/v1/export") { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", ScrapeToken) } };
        using var export = await http.SendAsync(api, Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, export.StatusCode);
    }

    private static async Task<HttpResponseMessage> ScrapeAsync(HttpClient http, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/metrics") { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", token) } };
        return await http.SendAsync(request, Ct);
    }
}
