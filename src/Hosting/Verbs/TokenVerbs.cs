using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using RouterAdmin.Refusals;
using RouterAdmin.Security;

namespace RouterAdmin.Hosting.Verbs;

/// <summary><c>token create|list|revoke</c>: API tokens for a headless router, through the same service and audit as the Users page.</summary>
internal static class TokenVerbs
{
    private static readonly Actor Cli = new("cli", UserRole.Admin);
    // Roles by name ("Admin"), as the API writes them: a script should not have to know the enum's order.
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true, Converters = { new JsonStringEnumConverter() } };

    public static async Task<int> RunAsync(IServiceProvider services, string[] args)
    {
        var tokens = services.GetRequiredService<ApiTokenService>();
        var json = args.Contains("--json");
        try
        {
            return args.FirstOrDefault() switch
            {
                "create" => await CreateAsync(tokens, services.GetRequiredService<TimeProvider>(), args, json),
                "list" => await ListAsync(tokens, json),
                "revoke" => await RevokeAsync(tokens, args, json),
                _ => Refuse("token needs create, list or revoke."),
            };
        }
        catch (InvalidInput e)
        {
            return Refuse(string.Join(Environment.NewLine, e.Errors.Messages));
        }
        catch (Refusal e)
        {
            return Refuse(e.Message);
        }
    }

    private static async Task<int> CreateAsync(ApiTokenService tokens, TimeProvider clock, string[] args, bool json)
    {
        var (user, name, roleText) = (CommandLine.ValueOf(args, "--user"), CommandLine.ValueOf(args, "--name"), CommandLine.ValueOf(args, "--role"));
        if (user is null || name is null || RoleOf(roleText) is not { } role)
            return Refuse("token create needs --user NAME --name LABEL --role Admin|Viewer.");
        DateTimeOffset? expires = null;
        if (CommandLine.ValueOf(args, "--expires") is { } expiresText)
        {
            if (TokenExpiry.Parse(expiresText, clock.GetUtcNow()) is not { } parsed)
                return Refuse("--expires takes a number of days (30d), of hours (12h) or a date (2027-01-31).");
            expires = parsed;
        }
        var created = await tokens.CreateAsync(user, name, role, expires, Cli);
        if (json)
            Console.WriteLine(JsonSerializer.Serialize(new { created.Token, created.Secret }, Json));
        else
        {
            Console.WriteLine($"Token {created.Token.Name} of {created.Token.UserName} ({created.Token.Role}) created; it is shown this once.");
            Console.WriteLine(created.Secret);
        }
        return 0;
    }

    // By name only: Enum.TryParse also takes "1" and "7", and the second is no role at all.
    private static UserRole? RoleOf(string? text) => text?.ToLowerInvariant() switch
    {
        "admin" => UserRole.Admin,
        "viewer" => UserRole.Viewer,
        _ => null,
    };

    private static async Task<int> ListAsync(ApiTokenService tokens, bool json)
    {
        var rows = await tokens.ListAsync();
        if (json)
        {
            Console.WriteLine(JsonSerializer.Serialize(rows, Json));
            return 0;
        }
        foreach (var t in rows)
            Console.WriteLine(string.Join('\t', t.Id.ToString(CultureInfo.InvariantCulture), t.UserName, t.Name, t.Role,
                t.RevokedAt is { } r ? $"revoked {r:u}" : t.ExpiresAt is { } e ? $"expires {e:u}" : "no expiry",
                t.LastUsedAt is { } u ? $"last used {u:u}" : "never used"));
        return 0;
    }

    private static async Task<int> RevokeAsync(ApiTokenService tokens, string[] args, bool json)
    {
        if (!int.TryParse(CommandLine.ValueOf(args, "--id"), NumberStyles.None, CultureInfo.InvariantCulture, out var id))
            return Refuse("token revoke needs --id N (see token list).");
        await tokens.RevokeAsync(id, Cli);
        Console.WriteLine(json ? JsonSerializer.Serialize(new { Id = id, Revoked = true }, Json) : $"Token {id} revoked.");
        return 0;
    }

    private static int Refuse(string message)
    {
        Console.Error.WriteLine(message);
        return 2;
    }
}
