using Microsoft.Extensions.Options;
using RouterAdmin.Hosting;
using RouterAdmin.History;
using RouterAdmin.Tests.Support;
using Xunit;

namespace RouterAdmin.Tests.History;

/// <summary>A bad RouterAdmin:History value stops the console at start with a message naming the key, like the other options.</summary>
public sealed class HistoryOptionsSpecs
{
    [Theory]
    [InlineData("RouterAdmin:History:KeepLast", "0", "RouterAdmin:History:KeepLast must be at least 1 (was 0)")]
    [InlineData("RouterAdmin:History:KeepFor", "-1.00:00:00", "RouterAdmin:History:KeepFor must be zero or longer")]
    [InlineData("RouterAdmin:History:PruneInterval", "00:00:05", "RouterAdmin:History:PruneInterval must be zero (off) or at least 00:01:00")]
    [InlineData("RouterAdmin:History:PruneInterval", "-01:00:00", "RouterAdmin:History:PruneInterval must be zero (off) or at least 00:01:00")]
    public async Task A_console_with_a_bad_history_setting_does_not_start_and_says_which_key(string key, string value, string message)
    {
        var folder = TestDatabase.NewFolder();
        try
        {
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

            Assert.IsType<OptionsValidationException>(failure);
            Assert.Contains(message, failure.Message);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Zero_turns_the_schedule_off_and_keeping_nothing_by_age_is_allowed()
    {
        Assert.Empty(HistoryOptions.Problems(new HistoryOptions { PruneInterval = TimeSpan.Zero, KeepFor = TimeSpan.Zero, KeepLast = 1 }));
    }
}
