using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Playwright;
using RouterAdmin.Inventory;
using RouterAdmin.Security;

namespace RouterAdmin.Bench;

/// <summary>What many people working at once got: page answers, edits accepted and refused, and the final inventory check.</summary>
public sealed record LoadResult(
    int BrowserSessions, int ApiClients, double Seconds, Samples PageAnswers, Samples BrowserFirstBytes, Samples EventHandling, Samples BrowserEdits, Samples ApiCalls,
    int BrowserCreated, int ApiCreated, int Applies, int AppliesRefused, int ErrorAnswers, IReadOnlyList<string> Errors,
    int ClientsInInventory, int MissingEdits, int DuplicatedEdits)
{
    public bool Consistent => ClientsInInventory == BrowserCreated + ApiCreated && MissingEdits == 0 && DuplicatedEdits == 0;
}

/// <summary>
/// A bounded load test on loopback, on the simulated backend: signed-in browser sessions (real Blazor circuits in headless
/// Chromium) create clients through the page and open the dashboard and the preview, while API clients create clients,
/// give each a free address and preview-then-apply. It ends by itself after the given time, then checks that the
/// inventory holds every accepted edit exactly once.
/// </summary>
public static class LoadTest
{
    public const double PageAnswerTargetMs = 500;

    /// <summary>The pages the browser sessions open: their document requests are the page answers.</summary>
    private static readonly string[] PageRoutes = ["/clients/new", "/", "/apply"];

    public static async Task<LoadResult> RunAsync(int sessions, int apiClients, TimeSpan duration, Action<string> log, CancellationToken ct)
    {
        await using var console = await TestConsole.StartAsync(ConsoleSetup.WebApp() with { OnDisk = true });
        var admin = await console.CreateUserAsync("admin", UserRole.Admin);
        await console.Settings.UpdateAsync(new SettingsDraft { WanInterface = "eth1", LanSubnet = "10.0.0.0/16" }, admin, ct);
        var endpoint = await console.Endpoints.CreateAsync(new EndpointDraft { Name = "Contivity", Destination = "198.51.100.10" }, admin, ct);
        for (var n = 1; n <= 250; n++)
            await console.Addresses.CreateAsync(new ExternalAddressDraft { Address = $"203.0.113.{n}", Interface = "eth1", PrefixLength = 24 }, admin, ct);

        var token = (await console.CreateTokenAsync(admin.Name, "load", UserRole.Admin)).Secret;
        var browserFirstBytes = new ConcurrentBag<double>();
        var browserEdits = new ConcurrentBag<double>();
        var apiCalls = new ConcurrentBag<double>();
        var accepted = new ConcurrentBag<string>();
        var errors = new ConcurrentQueue<string>();
        var counters = new int[4]; // browser created, api created, applies, applies refused
        var nextAddress = 0;
        string NextLan() { var i = Interlocked.Increment(ref nextAddress); return $"10.0.{i / 250 + 1}.{i % 250 + 2}"; }
        void Error(string what) { errors.Enqueue(what); if (errors.Count <= 5) log($"load: error {what}"); }

        using var playwright = await Playwright.CreateAsync();
        using var idleChromium = IdleChromium.Create();
        await using var browser = await playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = idleChromium.Path, Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
        // One sign-in through the real form, its cookie shared by every session: the sign-in limits (per address) would
        // rightly refuse twenty sign-ins from one loopback address in a row. Each context still opens its own circuit.
        var first = await browser.NewContextAsync(new() { BaseURL = console.Address.ToString() });
        var signIn = await first.NewPageAsync();
        await signIn.GotoAsync("/account/login");
        await signIn.FillAsync("#username", admin.Name);
        await signIn.FillAsync("#password", TestConsole.AdminPassword);
        await signIn.Keyboard.PressAsync("Enter");
        await signIn.WaitForURLAsync(url => !url.Contains("/account/", StringComparison.Ordinal));
        var signedIn = await first.StorageStateAsync();
        var pages = new List<IPage>();
        for (var s = 0; s < sessions; s++)
        {
            var context = await browser.NewContextAsync(new() { BaseURL = console.Address.ToString(), StorageState = signedIn });
            context.SetDefaultTimeout(30_000);
            pages.Add(await context.NewPageAsync());
        }
        log($"load: {sessions} browser sessions signed in; running {duration.TotalSeconds:0} s with {apiClients} API clients");

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        stop.CancelAfter(duration);
        var started = Stopwatch.GetTimestamp();

        async Task<double> OpenAsync(IPage page, string path)
        {
            var response = await page.GotoAsync(path);
            // The browser's view of the answer: from sending the request to the first byte of the document, including the
            // time the browser itself waited for a core (the server's own figure is taken from its meter).
            var timing = response!.Request.Timing;
            var answer = timing.ResponseStart - timing.RequestStart;
            browserFirstBytes.Add(answer);
            if (response.Status >= 400) Error($"GET {path} answered {response.Status}");
            await page.Locator("h1").First.WaitForAsync(new() { State = WaitForSelectorState.Visible });
            return answer;
        }

        async Task BrowserLoopAsync(IPage page, int session)
        {
            for (var n = 0; !stop.IsCancellationRequested; n++)
            {
                try
                {
                    var name = $"Browser {session:D2}-{n:D4}";
                    var edit = Stopwatch.GetTimestamp();
                    await OpenAsync(page, "/clients/new");
                    await page.FillAsync("#client-name", name);
                    await page.FillAsync("#client-lan-address", NextLan());
                    await page.Keyboard.PressAsync("Enter");
                    await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync(name, new() { Timeout = 30_000 });
                    browserEdits.Add(Stopwatch.GetElapsedTime(edit).TotalMilliseconds);
                    accepted.Add(name);
                    Interlocked.Increment(ref counters[0]);
                    await OpenAsync(page, n % 2 == 0 ? "/" : "/apply");
                }
                catch (Exception e) when (stop.IsCancellationRequested && e is PlaywrightException or TimeoutException)
                {
                    // The time ran out in the middle of an edit: it is counted only if it was accepted (checked at the end).
                }
                catch (Exception e) when (e is PlaywrightException or TimeoutException)
                {
                    Error($"browser {session}: {e.Message.Split('\n')[0]}");
                }
            }
        }

        async Task ApiLoopAsync(int client)
        {
            // Scripts carry an API token (a sign-in each would meet the per-address sign-in limit, as it should).
            using var http = console.CreateTokenClient(token);
            for (var n = 0; !stop.IsCancellationRequested; n++)
            {
                var name = $"Api {client:D2}-{n:D4}";
                try
                {
                    var call = Stopwatch.GetTimestamp();
                    using var created = await http.PostAsJsonAsync("/api/v1/clients", new { Name = name, LanAddress = NextLan() }, CancellationToken.None);
                    apiCalls.Add(Stopwatch.GetElapsedTime(call).TotalMilliseconds);
                    if (!created.IsSuccessStatusCode) { Error($"POST /api/v1/clients answered {(int)created.StatusCode}"); continue; }
                    accepted.Add(name);
                    Interlocked.Increment(ref counters[1]);
                    var id = (await created.Content.ReadFromJsonAsync<JsonElement>(CancellationToken.None)).GetProperty("id").GetInt32();
                    call = Stopwatch.GetTimestamp();
                    using var assigned = await http.PostAsJsonAsync("/api/v1/assignments", new { ClientId = id, EndpointId = endpoint }, CancellationToken.None);
                    apiCalls.Add(Stopwatch.GetElapsedTime(call).TotalMilliseconds);
                    if (!assigned.IsSuccessStatusCode && assigned.StatusCode != HttpStatusCode.Conflict) Error($"POST /api/v1/assignments answered {(int)assigned.StatusCode}");
                    if (n % 5 == 4) await PreviewAndApplyAsync(http, $"load {client}-{n}");
                }
                catch (HttpRequestException e)
                {
                    Error($"api {client}: {e.Message}");
                }
            }
        }

        async Task PreviewAndApplyAsync(HttpClient http, string reason)
        {
            var call = Stopwatch.GetTimestamp();
            var preview = await http.GetFromJsonAsync<JsonElement>("/api/v1/preview", CancellationToken.None);
            apiCalls.Add(Stopwatch.GetElapsedTime(call).TotalMilliseconds);
            call = Stopwatch.GetTimestamp();
            using var applied = await http.PostAsJsonAsync("/api/v1/apply", new { Reason = reason, Fingerprint = preview.GetProperty("fingerprint").GetString() }, CancellationToken.None);
            apiCalls.Add(Stopwatch.GetElapsedTime(call).TotalMilliseconds);
            // Another client's edit between this preview and apply refuses it (409): the guarantee working, not an error.
            if (applied.StatusCode == HttpStatusCode.Conflict) Interlocked.Increment(ref counters[3]);
            else if (applied.IsSuccessStatusCode) Interlocked.Increment(ref counters[2]);
            else Error($"POST /api/v1/apply answered {(int)applied.StatusCode}: {await applied.Content.ReadAsStringAsync(CancellationToken.None)}");
        }

        using var serverTimings = new ServerTimings();
        await Task.WhenAll(pages.Select((page, s) => BrowserLoopAsync(page, s)).Concat(Enumerable.Range(0, apiClients).Select(ApiLoopAsync)));
        var measured = serverTimings.Snapshot();
        foreach (var (measure, values) in measured.OrderByDescending(p => p.Value.Count))
            log($"load: server {measure}: n={values.Count} p50={values.Median:N1} p95={values.Percentile(0.95):N1} max={values.Max:N1} ms");
        var pageAnswers = Samples.Of(PageRoutes.SelectMany(route => measured.Where(m => m.Key.StartsWith($"GET {route} ", StringComparison.Ordinal)).SelectMany(m => m.Value.Values)));
        var eventHandling = measured.TryGetValue(ServerTimings.EventHandling, out var events) ? events : Samples.Of([]);
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;

        // Edits cut off by the end: a page submit may have been accepted after the loop stopped waiting for it.
        var inventory = await console.Store.CaptureAsync(CancellationToken.None);
        var names = inventory.Clients.Select(c => c.Name).ToArray();
        var acceptedNames = accepted.ToHashSet(StringComparer.Ordinal);
        var late = names.Count(n => n.StartsWith("Browser ", StringComparison.Ordinal) && !acceptedNames.Contains(n));
        return new LoadResult(sessions, apiClients, seconds, pageAnswers, Samples.Of(browserFirstBytes), eventHandling, Samples.Of(browserEdits), Samples.Of(apiCalls),
            counters[0] + late, counters[1], counters[2], counters[3], errors.Count, errors.Take(10).ToArray(),
            names.Length, acceptedNames.Count(n => !names.Contains(n, StringComparer.Ordinal)), names.Length - names.Distinct(StringComparer.Ordinal).Count());
    }

    public static void Render(StringBuilder md, LoadResult r)
    {
        md.AppendLine("## Load: people working at once");
        md.AppendLine();
        md.AppendLine($"{r.BrowserSessions} signed-in browser sessions (Blazor circuits in one headless Chromium, run `SCHED_IDLE`: on a network the browsers are other machines, so here they take only the cores the console leaves) create clients through the page and open the dashboard and the preview; {r.ApiClients} API clients create clients, give each a free address and preview-then-apply every fifth; {r.Seconds:N0} s on the simulated backend, loopback only. A page answer is the server's time for a page request (the rendered document), from ASP.NET Core's own request-duration meter; the browser's wait for the first byte is shown beside it because on a small machine it also holds the time twenty Chromium renderers waited for a core (and the browser edit, end to end, mostly that).");
        md.AppendLine();
        md.AppendLine("| measure | count | p50 ms | p95 ms | max ms | target |");
        md.AppendLine("|---|---:|---:|---:|---:|---|");
        md.AppendLine($"| page answer (server) | {r.PageAnswers.Count:N0} | {r.PageAnswers.Median:N1} | {r.PageAnswers.Percentile(0.95):N1} | {r.PageAnswers.Max:N1} | p95 < {PageAnswerTargetMs:N0} ms: **{(r.PageAnswers.Percentile(0.95) < PageAnswerTargetMs ? "met" : "NOT met")}** |");
        md.AppendLine($"| page's first byte as the browser saw it | {r.BrowserFirstBytes.Count:N0} | {r.BrowserFirstBytes.Median:N1} | {r.BrowserFirstBytes.Percentile(0.95):N1} | {r.BrowserFirstBytes.Max:N1} | |");
        if (!r.EventHandling.IsEmpty)
            md.AppendLine($"| a click or key handled by the server (Blazor event) | {r.EventHandling.Count:N0} | {r.EventHandling.Median:N1} | {r.EventHandling.Percentile(0.95):N1} | {r.EventHandling.Max:N1} | |");
        md.AppendLine($"| browser edit (open the form → the new client's page) | {r.BrowserEdits.Count:N0} | {r.BrowserEdits.Median:N1} | {r.BrowserEdits.Percentile(0.95):N1} | {r.BrowserEdits.Max:N1} | |");
        md.AppendLine($"| API call | {r.ApiCalls.Count:N0} | {r.ApiCalls.Median:N1} | {r.ApiCalls.Percentile(0.95):N1} | {r.ApiCalls.Max:N1} | |");
        md.AppendLine();
        md.AppendLine($"Edits accepted: {r.BrowserCreated:N0} through the pages, {r.ApiCreated:N0} through the API; applies {r.Applies:N0}, refused as out of date {r.AppliesRefused:N0}. Error answers: **{r.ErrorAnswers}**{(r.Errors.Count > 0 ? " (" + string.Join("; ", r.Errors) + ")" : "")}.");
        md.AppendLine($"Final inventory: {r.ClientsInInventory:N0} clients; missing accepted edits {r.MissingEdits}, duplicated {r.DuplicatedEdits}: **{(r.Consistent && r.ErrorAnswers == 0 ? "consistent, no errors" : "NOT consistent or with errors")}**.");
        md.AppendLine();
    }
}

/// <summary>
/// Chromium started under <c>SCHED_IDLE</c> (inherited by every renderer): on a real network the twenty browsers sit on
/// twenty other machines, so here they may take only the cores the console leaves, and the console's answers are its own.
/// Chromium raises its own browser and GPU processes' nice value as root, which SCHED_IDLE makes irrelevant.
/// </summary>
internal sealed class IdleChromium : IDisposable
{
    private readonly string _folder;

    private IdleChromium(string folder) => _folder = folder;

    public string Path => System.IO.Path.Combine(_folder, "chromium");

    public static IdleChromium Create()
    {
        var folder = Directory.CreateTempSubdirectory("routeradmin-load-").FullName;
        var launcher = new IdleChromium(folder);
        File.WriteAllText(launcher.Path, $"#!/bin/sh\nexec chrt --idle 0 {BrowserRequirements.ChromiumPath} \"$@\"\n");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(launcher.Path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return launcher;
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}

