using RouterAdmin.Inventory;
using RouterAdmin.Security;

namespace RouterAdmin.WebTests;

/// <summary>One web console per database; a second refuses to start and says why, and the verbs keep working beside it.</summary>
public sealed class SingleConsoleSpecs
{
    [Fact]
    public async Task A_second_console_on_the_same_database_refuses_to_start_and_the_first_keeps_working()
    {
        var directory = Directory.CreateTempSubdirectory("routeradmin-two-").FullName;
        try
        {
            await using var first = await TestConsole.StartAsync(ConsoleSetup.WebApp() with { Directory = directory });
            await first.CreateUserAsync("admin", UserRole.Admin);

            var refusal = await Assert.ThrowsAsync<InvalidOperationException>(() => TestConsole.StartAsync(ConsoleSetup.WebApp() with { Directory = directory }));

            Assert.Contains("Another RouterAdmin console is already running", refusal.Message);
            Assert.Contains("console.lock", refusal.Message);
            // The first console did not notice: it still signs people in and takes edits.
            using var client = first.CreateClient();
            using var signedIn = await TestConsole.SignInAsync(client, "admin");
            Assert.Equal(System.Net.HttpStatusCode.Redirect, signedIn.StatusCode);
            await first.Clients.CreateAsync(new ClientDraft { Name = "Alice", LanAddress = "192.168.1.2" }, TestConsole.Admin, TestContext.Current.CancellationToken);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task Once_the_first_console_has_stopped_the_next_one_starts()
    {
        var directory = Directory.CreateTempSubdirectory("routeradmin-two-").FullName;
        try
        {
            await using (await TestConsole.StartAsync(ConsoleSetup.WebApp() with { Directory = directory })) { }

            await using var second = await TestConsole.StartAsync(ConsoleSetup.WebApp() with { Directory = directory });

            using var client = second.CreateClient();
            Assert.Equal(System.Net.HttpStatusCode.OK, (await client.GetAsync("/healthz", TestContext.Current.CancellationToken)).StatusCode);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
