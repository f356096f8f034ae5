using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using RouterAdmin.Firewall.Backends;
using RouterAdmin.Hosting;
using RouterAdmin.Tests.Support;
using Xunit;

namespace RouterAdmin.Tests.Hosting;

/// <summary>A bad setting stops the console at start with a message naming the key; it never quietly means a default.</summary>
public sealed class OptionsValidationSpecs
{
    [Theory]
    [InlineData("RouterAdmin:Firewall:CommandTimeoutSeconds", "0", "RouterAdmin:Firewall:CommandTimeoutSeconds must be between 1 and 3600")]
    [InlineData("RouterAdmin:Firewall:CommandTimeoutSeconds", "86400", "RouterAdmin:Firewall:CommandTimeoutSeconds must be between 1 and 3600")]
    [InlineData("RouterAdmin:Firewall:LockWaitSeconds", "-1", "RouterAdmin:Firewall:LockWaitSeconds must be between 0 and 3600")]
    [InlineData("RouterAdmin:Firewall:Flavor", "nftt", "RouterAdmin:Firewall:Flavor must be auto, nft or legacy (was 'nftt')")]
    [InlineData("RouterAdmin:Firewall:Flavor", "NFT", "RouterAdmin:Firewall:Flavor must be auto, nft or legacy")]
    [InlineData("RouterAdmin:Firewall:Namespace", "../etc", "RouterAdmin:Firewall:Namespace must be a network namespace name")]
    [InlineData("RouterAdmin:Firewall:Paths:Ip", " ", "RouterAdmin:Firewall:Paths:Ip must name the ip tool")]
    [InlineData("RouterAdmin:Firewall:Backend", "Iptable", "RouterAdmin:Firewall:Backend")]
    [InlineData("RouterAdmin:Drift:CheckInterval", "-00:01:00", "RouterAdmin:Drift:CheckInterval must be zero (off) or longer")]
    [InlineData("RouterAdmin:Security:MinPasswordLength", "6", "RouterAdmin:Security:MinPasswordLength must be between 8 and 128 (was 6)")]
    [InlineData("RouterAdmin:Security:MaxFailedSignIns", "0", "RouterAdmin:Security:MaxFailedSignIns must be at least 1")]
    [InlineData("RouterAdmin:Security:IdleTimeout", "00:00:00", "RouterAdmin:Security:IdleTimeout must be longer than zero")]
    [InlineData("RouterAdmin:Security:LockoutDuration", "-00:05:00", "RouterAdmin:Security:LockoutDuration must be longer than zero")]
    [InlineData("RouterAdmin:Database:Path", " ", "RouterAdmin:Database:Path must name the SQLite file")]
    [InlineData("RouterAdmin:Testing:KillAfterStep", "Nowhere", "RouterAdmin:Testing:KillAfterStep")]
    public async Task A_console_with_a_bad_value_does_not_start_and_says_which_key(string key, string value, string message)
    {
        var folder = TestDatabase.NewFolder();
        try
        {
            // Found while the app is built (a value the pipeline needs) or, at the latest, when it starts.
            var failure = await Assert.ThrowsAnyAsync<Exception>(async () =>
            {
                await using var app = RouterAdminHost.BuildWebApp(
                [
                    "--urls=http://127.0.0.1:0",
                    $"--RouterAdmin:Database:Path={Path.Combine(folder, "routeradmin.db")}",
                    "--Logging:LogLevel:Default=None",
                    $"--{key}={value}",
                ]);
                await app.StartAsync(TestContext.Current.CancellationToken);
            });

            Assert.True(failure is OptionsValidationException or InvalidOperationException, failure.ToString());
            Assert.Contains(message, failure.Message);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void The_shipped_settings_and_the_defaults_are_valid()
    {
        var configuration = new ConfigurationBuilder()
            .SetBasePath(RouterAdminHost.ContentRoot())
            .AddJsonFile("appsettings.json", optional: false)
            .Build();
        var services = new ServiceCollection().AddLogging().AddSingleton<IConfiguration>(configuration);
        services.AddRouterAdminCore(configuration, RouterAdminHost.ContentRoot());
        using var provider = services.BuildServiceProvider();

        ValidatedOptions.ValidateNow(provider);

        Assert.Equal("auto", provider.GetRequiredService<IOptions<FirewallOptions>>().Value.Flavor);
    }

    [Fact]
    public void Every_problem_is_reported_at_once()
    {
        var problems = FirewallOptions.Problems(new FirewallOptions { Flavor = "x", CommandTimeoutSeconds = 0 }).ToArray();

        Assert.Equal(2, problems.Length);
    }
}
