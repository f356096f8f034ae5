using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using RouterAdmin.Data;
using RouterAdmin.History;
using RouterAdmin.Security;
using Xunit;

namespace RouterAdmin.WebTests;

/// <summary>Issue 11, "sign-in under attack": guesses in parallel, floods, crafted links, and what the log keeps of them.</summary>
public sealed class SignInHardeningSpecs
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Thirty_wrong_passwords_sent_at_once_lock_the_account_and_the_right_password_then_does_not_sign_in()
    {
        await using var console = await TestConsole.StartAsync(ConsoleSetup.WebApp());
        await console.CreateUserAsync("admin", UserRole.Admin);
        using var attacker = console.CreateClient();
        var token = TestConsole.Token(await attacker.GetStringAsync("/account/login", Ct));

        var guesses = await Task.WhenAll(Enumerable.Range(0, 30).Select(i => PostSignInAsync(attacker, token, "admin", $"wrong guess number {i}")));
        using var right = await TestConsole.SignInAsync(console.CreateClient(), "admin");

        Assert.All(guesses, g => Assert.NotEqual(HttpStatusCode.Redirect, g));
        Assert.NotEqual(HttpStatusCode.Redirect, right.StatusCode);
        await using var db = await console.Services.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContextAsync(Ct);
        var user = await db.Users.SingleAsync(Ct);
        Assert.True(user.LockoutEndsAt is not null, $"the account is not locked (failed count {user.FailedLoginCount})");
    }

    [Fact]
    public async Task A_flood_of_anonymous_sign_ins_is_answered_429_beyond_the_limit_and_only_the_admitted_ones_are_checked()
    {
        await using var console = await TestConsole.StartAsync(ConsoleSetup.WebApp());
        await console.CreateUserAsync("admin", UserRole.Admin);
        using var attacker = console.CreateClient();
        using var monitor = console.CreateClient();
        var token = TestConsole.Token(await attacker.GetStringAsync("/account/login", Ct));
        await monitor.GetAsync("/healthz", Ct);

        var health = new ConcurrentBag<double>();
        using var flooding = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var probe = Task.Run(async () =>
        {
            while (!flooding.IsCancellationRequested)
            {
                var started = Stopwatch.GetTimestamp();
                using var answer = await monitor.GetAsync("/healthz", CancellationToken.None);
                health.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                await Task.Delay(10, CancellationToken.None);
            }
        }, Ct);
        using var gate = new SemaphoreSlim(40);
        var statuses = await Task.WhenAll(Enumerable.Range(0, 200).Select(async i =>
        {
            await gate.WaitAsync(Ct);
            try { return await PostSignInAsync(attacker, token, $"guess{i}", "not the password at all"); }
            finally { gate.Release(); }
        }));
        await flooding.CancelAsync();
        await probe;

        var limit = new SecurityOptions().SignInAttemptsPerAddressPerMinute;
        var refused = statuses.Count(s => s == HttpStatusCode.TooManyRequests);
        var checkedOnes = statuses.Count(s => s == HttpStatusCode.OK);
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"429: {refused}, checked: {checkedOnes}; /healthz during the flood: median {Percentile(health, 0.5):N1} ms, " +
            $"90th percentile {Percentile(health, 0.9):N1} ms, max {health.Max():N1} ms over {health.Count}");
        Assert.Equal(200, refused + checkedOnes);
        Assert.True(refused >= 200 - limit, $"only {refused} of 200 were answered 429");
        // Every attempt that was checked is in the audit log; the ones refused at the door cost nothing and are not.
        await using var db = await console.Services.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContextAsync(Ct);
        Assert.Equal(checkedOnes, await db.Audit.CountAsync(a => a.Action == AuditActions.Failed(AuditActions.UserSignIn), Ct));
        // Speed targets are the benchmark's (sign-in-flood); this generous bound only catches the cores being eaten again
        // (90th percentile before: about 3 s; after: under 20 ms).
        Assert.True(Percentile(health, 0.9) < 250, $"/healthz took {Percentile(health, 0.9):N1} ms (90th percentile) during the flood");
    }

    [Fact]
    public async Task One_user_name_gets_a_limited_number_of_password_checks_a_minute_whether_it_exists_or_not()
    {
        // The per-address budget out of the way: this is about the per-name one.
        await using var console = await TestConsole.StartAsync(ConsoleSetup.WebApp() with { Settings = new Dictionary<string, string?> { [$"{SecurityOptions.Section}:SignInAttemptsPerAddressPerMinute"] = "100" } });
        await console.CreateUserAsync("admin", UserRole.Admin);
        using var client = console.CreateClient();
        var budget = new SecurityOptions().SignInAttemptsPerUserPerMinute;

        foreach (var name in new[] { "admin", "made-up-name" })
        {
            var answers = new List<HttpStatusCode>();
            for (var attempt = 0; attempt <= budget; attempt++)
                answers.Add((await TestConsole.SignInAsync(client, name, $"guess {attempt} for {name}")).StatusCode);

            Assert.All(answers.Take(budget), a => Assert.Equal(HttpStatusCode.OK, a));
            Assert.Equal(HttpStatusCode.TooManyRequests, answers[^1]);
        }
    }

    [Fact]
    public async Task A_failed_sign_in_is_in_the_audit_log_with_the_name_as_typed_and_the_client_address()
    {
        await using var console = await TestConsole.StartAsync(ConsoleSetup.WebApp());
        await console.CreateUserAsync("admin", UserRole.Admin);
        using var client = console.CreateClient();

        await TestConsole.SignInAsync(client, "admin", "a wrong password!");
        await TestConsole.SignInAsync(client, "Nobody.Here", "whatever it is");

        await using var db = await console.Services.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContextAsync(Ct);
        var failed = await db.Audit.Where(a => a.Action == AuditActions.Failed(AuditActions.UserSignIn)).OrderBy(a => a.Id).ToListAsync(Ct);
        Assert.Equal(["User admin", "User Nobody.Here"], failed.Select(a => a.Subject));
        Assert.All(failed, a => Assert.Contains("127.0.0.1", a.Details));
    }

    [Theory]
    [InlineData("/account/login?ReturnUrl=%2F%C3%A9t%C3%A9", "/")]
    [InlineData("/account/login?ReturnUrl=%2Fclients%0D%0ASet-Cookie%3A%20x%3Dy", "/")]
    [InlineData("/account/login?ReturnUrl=https%3A%2F%2Fevil.example%2F", "/")]
    [InlineData("/account/login?ReturnUrl=%2F%5Cevil.example", "/")]
    [InlineData("/account/login?ReturnUrl=%2Fclients%3Fsearch%3Dalice", "/clients?search=alice")]
    public async Task A_crafted_return_address_after_sign_in_leads_home_and_a_local_one_is_kept(string signInPath, string expected)
    {
        await using var console = await TestConsole.StartAsync(ConsoleSetup.WebApp());
        await console.CreateUserAsync("admin", UserRole.Admin);
        using var client = console.CreateClient();

        using var response = await TestConsole.SignInAsync(client, "admin", path: signInPath);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var location = response.Headers.Location!;
        Assert.Equal(expected, location.IsAbsoluteUri ? location.PathAndQuery : location.OriginalString);
    }

    [Fact]
    public async Task Wrong_current_passwords_on_the_password_page_count_like_sign_ins_and_lock_the_account()
    {
        await using var console = await TestConsole.StartAsync(ConsoleSetup.WebApp());
        await console.CreateUserAsync("admin", UserRole.Admin);
        using var thief = console.CreateClient();
        await TestConsole.SignInAsync(thief, "admin");

        for (var guess = 0; guess < 5; guess++)
        {
            using var wrong = await ChangePasswordAsync(thief, $"guessed password {guess}", "a brand new passphrase");
            Assert.DoesNotContain("Password changed", await wrong.Content.ReadAsStringAsync(Ct));
        }
        using var right = await ChangePasswordAsync(thief, TestConsole.AdminPassword, "a brand new passphrase");

        Assert.DoesNotContain("Password changed", await right.Content.ReadAsStringAsync(Ct));
        using var owner = await TestConsole.SignInAsync(console.CreateClient(), "admin");
        Assert.NotEqual(HttpStatusCode.Redirect, owner.StatusCode);
        await using var db = await console.Services.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContextAsync(Ct);
        var refusals = await db.Audit.Where(a => a.Action == AuditActions.Failed(AuditActions.UserPassword)).OrderBy(a => a.Id).ToListAsync(Ct);
        Assert.Equal(6, refusals.Count);
        Assert.All(refusals.Take(5), r => Assert.StartsWith("wrong password", r.Details));
        Assert.StartsWith("the account is locked", refusals[5].Details);
    }

    [Fact]
    public async Task Pages_and_api_answers_are_not_stored_by_caches_static_assets_are_and_no_server_header_is_sent()
    {
        await using var console = await TestConsole.StartAsync(ConsoleSetup.WebApp());
        await console.CreateUserAsync("admin", UserRole.Admin);
        using var client = console.CreateClient();
        await TestConsole.SignInAsync(client, "admin");

        foreach (var path in new[] { "/", "/clients", "/account/login", "/api/v1/status", "/healthz" })
        {
            using var response = await client.GetAsync(path, Ct);
            Assert.True(response.Headers.CacheControl?.NoStore == true, $"{path}: Cache-Control {response.Headers.CacheControl}");
            Assert.False(response.Headers.Contains("Server"), $"{path} sent Server: {string.Join(",", response.Headers.Server)}");
        }
        foreach (var path in new[] { "/app.css", "/_content/MudBlazor/MudBlazor.min.css" })
        {
            using var response = await client.GetAsync(path, Ct);
            Assert.NotEqual(true, response.Headers.CacheControl?.NoStore);
            Assert.False(response.Headers.Contains("Server"));
        }
    }

    internal static async Task<HttpStatusCode> PostSignInAsync(HttpClient client, string token, string user, string password)
    {
        using var response = await client.PostAsync("/account/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token,
            ["_handler"] = "login",
            ["Input.UserName"] = user,
            ["Input.Password"] = password,
        }), Ct);
        return response.StatusCode;
    }

    private static async Task<HttpResponseMessage> ChangePasswordAsync(HttpClient client, string current, string next)
    {
        var form = await client.GetStringAsync("/account/password", Ct);
        return await client.PostAsync("/account/password", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = TestConsole.Token(form),
            ["_handler"] = "password",
            ["Input.Current"] = current,
            ["Input.New"] = next,
            ["Input.Confirm"] = next,
        }), Ct);
    }

    private static double Percentile(IEnumerable<double> values, double fraction)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? double.NaN : sorted[(int)Math.Min(sorted.Length - 1, Math.Floor(sorted.Length * fraction))];
    }
}
