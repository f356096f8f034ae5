using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using RouterAdmin.History;
using RouterAdmin.Refusals;
using RouterAdmin.Security;

namespace RouterAdmin.Tests.Hosting;

/// <summary>The token verbs, run as the real executable on the console's database, as an administrator on a headless router would.</summary>
public sealed class TokenVerbSpecs
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_token_is_printed_on_the_last_line_authenticates_is_listed_with_owner_role_and_last_use_and_is_refused_once_revoked()
    {
        await using var console = await TestConsole.StartAsync();
        await console.CreateUserAsync("admin", UserRole.Admin);
        var tokens = console.Get<ApiTokenService>();

        var created = await RunAsync(console, "token", "create", "--user", "admin", "--name", "provisioning", "--role", "admin");
        Assert.Equal(0, created.Code);
        var lines = created.Output.TrimEnd('\n').Split('\n');
        Assert.Equal(["Token provisioning of admin (Admin) created; it is shown this once."], lines[..^1]);
        var secret = lines[^1];
        Assert.StartsWith("ra_", secret);
        var principal = await tokens.AuthenticateAsync(secret, "test", Ct);
        Assert.NotNull(principal);
        Assert.True(principal.IsInRole(RoleNames.Admin));
        Assert.Equal("admin (token provisioning)", UserService.ActorOf(principal).Name);

        var listed = await RunAsync(console, "token", "list", "--json");
        Assert.Equal(0, listed.Code);
        var row = Assert.Single(JsonDocument.Parse(listed.Output).RootElement.EnumerateArray());
        Assert.Equal(("admin", "provisioning", "Admin"), (row.GetProperty("userName").GetString(), row.GetProperty("name").GetString(), row.GetProperty("role").GetString()));
        // Used once just now, on the console's clock (the verb only reads it back).
        Assert.Equal(ConsoleSetup.FakeClockStart, row.GetProperty("lastUsedAt").GetDateTimeOffset());
        Assert.Equal(JsonValueKind.Null, row.GetProperty("revokedAt").ValueKind);
        var id = row.GetProperty("id").GetInt32();

        var revoked = await RunAsync(console, "token", "revoke", "--id", id.ToString(System.Globalization.CultureInfo.InvariantCulture), "--json");
        Assert.Equal(0, revoked.Code);
        Assert.True(JsonDocument.Parse(revoked.Output).RootElement.GetProperty("revoked").GetBoolean());
        Assert.Null(await tokens.AuthenticateAsync(secret, "test", Ct));
        var text = await RunAsync(console, "token", "list");
        Assert.Matches($@"^{id}\tadmin\tprovisioning\tAdmin\trevoked [^\t]+\tlast used 2026-11-24 09:00:00Z\n$", text.Output);

        await using var db = await console.OpenDatabaseAsync();
        Assert.Equal([AuditActions.TokenCreate, AuditActions.TokenRevoke],
            await db.Audit.AsNoTracking().Where(a => a.Actor == "cli").OrderBy(a => a.Id).Select(a => a.Action).ToListAsync(Ct));
    }

    [Fact]
    public async Task With_json_the_new_token_comes_as_its_row_and_its_secret()
    {
        await using var console = await TestConsole.StartAsync();
        await console.CreateUserAsync("vera", UserRole.Viewer);

        var created = await RunAsync(console, "token", "create", "--user", "vera", "--name", "grafana", "--role", "Viewer", "--expires", "30d", "--json");

        Assert.Equal(0, created.Code);
        var answer = JsonDocument.Parse(created.Output).RootElement;
        Assert.Equal(("vera", "Viewer"), (answer.GetProperty("token").GetProperty("userName").GetString(), answer.GetProperty("token").GetProperty("role").GetString()));
        Assert.NotNull(await console.Get<ApiTokenService>().AuthenticateAsync(answer.GetProperty("secret").GetString()!, "test", Ct));
    }

    [Theory]
    [InlineData("token needs create, list or revoke.", "token")]
    [InlineData("token needs create, list or revoke.", "token", "delete", "--id", "1")]
    [InlineData("token create needs --user NAME --name LABEL --role Admin|Viewer.", "token", "create", "--user", "admin", "--name", "ci")]
    [InlineData("token create needs --user NAME --name LABEL --role Admin|Viewer.", "token", "create", "--user", "admin", "--name", "ci", "--role", "1")]
    [InlineData("token create needs --user NAME --name LABEL --role Admin|Viewer.", "token", "create", "--user", "admin", "--name", "ci", "--role", "7")]
    [InlineData("There is no account named ghost.", "token", "create", "--user", "ghost", "--name", "ci", "--role", "Viewer")]
    [InlineData("vera is a viewer; their tokens can only be Viewer tokens.", "token", "create", "--user", "vera", "--name", "ci", "--role", "Admin")]
    [InlineData("--expires takes a number of days (30d), of hours (12h) or a date (2027-01-31).", "token", "create", "--user", "admin", "--name", "ci", "--role", "Viewer", "--expires", "soon")]
    [InlineData("token revoke needs --id N (see token list).", "token", "revoke")]
    [InlineData("That token no longer exists.", "token", "revoke", "--id", "99")]
    public async Task A_verb_called_wrongly_says_why_exits_2_and_makes_no_token(string message, params string[] arguments)
    {
        await using var console = await TestConsole.StartAsync();
        await console.CreateUserAsync("admin", UserRole.Admin);
        await console.CreateUserAsync("vera", UserRole.Viewer);

        Assert.Equal((2, message + "\n"), await RunAsync(console, arguments));
        Assert.Empty(await console.Get<ApiTokenService>().ListAsync(Ct));
    }

    [Fact]
    public async Task A_token_asked_for_with_a_number_for_its_role_is_refused_by_the_service_too()
    {
        await using var console = await TestConsole.StartAsync();
        await console.CreateUserAsync("admin", UserRole.Admin);

        var refused = await Assert.ThrowsAsync<InvalidInput>(() =>
            console.Get<ApiTokenService>().CreateAsync("admin", "api", (UserRole)7, null, TestConsole.Admin, Ct));

        Assert.Equal(["A token's role is Admin or Viewer."], refused.Errors.ByField["Role"]);
    }

    // The test database's folder is wider than the console likes, and it says so: not what these specs read.
    private static readonly Dictionary<string, string?> Quiet = new() { ["Logging:LogLevel:Default"] = "Error" };

    private static Task<(int Code, string Output)> RunAsync(TestConsole console, params string[] arguments) =>
        ConsoleProcess.RunAsync(console, arguments, Ct, Quiet);
}
