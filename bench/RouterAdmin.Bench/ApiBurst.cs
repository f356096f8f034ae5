using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using RouterAdmin.Firewall.Status;
using RouterAdmin.Inventory;
using RouterAdmin.Security;
using RouterAdmin.TestSupport;

namespace RouterAdmin.Bench;

/// <summary>What creating clients one call at a time through the JSON API costs, early in the burst and late in it.</summary>
public sealed record ApiBurstResult(int Clients, Samples First, Samples Last, double TotalSeconds, long StatusReads)
{
    public double Ratio => Last.Median / First.Median;
}

/// <summary>
/// The real console (simulated backend, its own SQLite file) on a loopback port, signed in through the real form, and N
/// clients created with one POST /api/v1/clients each, back to back, as a script would. Every create asks the status
/// monitor for a refresh; the refreshes coalesce, so the cost per client should not grow with the inventory.
/// </summary>
public static class ApiBurst
{
    public const int Window = 100;

    public static async Task<ApiBurstResult> RunAsync(int clients, Action<string> log, CancellationToken ct)
    {
        // Drift checks only on demand, logs at Warning: the harness's web defaults, so the burst measures the edits alone.
        await using var console = await TestConsole.StartAsync(ConsoleSetup.WebApp() with { OnDisk = true });
        var admin = await console.CreateUserAsync("bench", UserRole.Admin);
        // Room for the burst: up to 65,000 clients on the LAN.
        await console.Settings.UpdateAsync(new SettingsDraft { WanInterface = "eth1", LanSubnet = "10.0.0.0/16", ManageMasquerade = false }, admin, ct);
        using var http = console.CreateClient();
        using (var signedIn = await TestConsole.SignInAsync(http, admin.Name))
            if (signedIn.StatusCode != HttpStatusCode.Redirect && signedIn.StatusCode != HttpStatusCode.Found)
                throw new InvalidOperationException($"Signing in answered {(int)signedIn.StatusCode}.");
        var monitor = console.Get<FirewallStatusMonitor>();
        var readsBefore = monitor.Reads;

        var times = new double[clients];
        var started = Stopwatch.GetTimestamp();
        for (var i = 0; i < clients; i++)
        {
            var body = new { Name = $"Employee {i:D5}", LanAddress = $"10.0.{i / 250}.{i % 250 + 2}" };
            var call = Stopwatch.GetTimestamp();
            using var response = await http.PostAsJsonAsync("/api/v1/clients", body, ct);
            times[i] = Stopwatch.GetElapsedTime(call).TotalMilliseconds;
            if (!response.IsSuccessStatusCode)
                throw new InvalidOperationException($"POST /api/v1/clients #{i} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(ct)}");
            if ((i + 1) % 250 == 0) log($"API burst: {i + 1:N0}/{clients:N0} clients, last {times[i]:N1} ms");
        }
        var total = Stopwatch.GetElapsedTime(started).TotalSeconds;
        await monitor.RequestRefresh();
        var window = Math.Min(Window, clients);
        return new ApiBurstResult(clients, Samples.Of(times.Take(window)), Samples.Of(times.Skip(clients - window)), total, monitor.Reads - readsBefore);
    }

    public static void Render(StringBuilder md, ApiBurstResult result, double targetRatio)
    {
        var invariant = CultureInfo.InvariantCulture;
        md.AppendLine($"## A burst of {result.Clients:N0} client creations through the API").AppendLine();
        md.AppendLine($"One `POST /api/v1/clients` after another on the real console (simulated backend, fresh SQLite file, signed in through the form), as a script creating employees would. Each create raises the inventory's change notification; the status monitor coalesces the refreshes they ask for. Target: the last {Window} calls cost no more than {targetRatio:0.00}× the first {Window} (median).").AppendLine();
        md.AppendLine("| calls | median ms | min–max ms |").AppendLine("|---|---|---|");
        md.AppendLine(string.Create(invariant, $"| first {Window} | {result.First.Median:0.0} | {result.First.Min:0.0}–{result.First.Max:0.0} |"));
        md.AppendLine(string.Create(invariant, $"| last {Window} | {result.Last.Median:0.0} | {result.Last.Min:0.0}–{result.Last.Max:0.0} |"));
        md.AppendLine();
        md.AppendLine(string.Create(invariant, $"Last / first = **{result.Ratio:0.00}×** ({(result.Ratio <= targetRatio ? "met" : "**not met**")}); {result.Clients:N0} clients in {result.TotalSeconds:0.0} s; the router was read {result.StatusReads:N0} times for {result.Clients:N0} edits."));
        md.AppendLine();
    }
}
