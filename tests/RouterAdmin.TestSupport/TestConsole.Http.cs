using System.Net;
using System.Text.RegularExpressions;
using RouterAdmin.Security;

namespace RouterAdmin.TestSupport;

/// <summary>The web front end of a console started with <see cref="ConsoleSetup.Web"/>, as a browser or a script meets it.</summary>
public sealed partial class TestConsole
{
    public const string AdminPassword = "correct horse battery staple";

    private readonly Uri? _address;

    /// <summary>Where the console listens (a free loopback port).</summary>
    public Uri Address => _address ?? throw new InvalidOperationException("This console has no web front end (ConsoleSetup.Web).");

    /// <summary>A browser-like client: keeps cookies, does not follow redirects (so tests can see them).</summary>
    public HttpClient CreateClient(CookieContainer? cookies = null) =>
        new(new HttpClientHandler { CookieContainer = cookies ?? new CookieContainer(), AllowAutoRedirect = false, UseCookies = true })
        {
            BaseAddress = Address,
        };

    public async Task<Actor> CreateUserAsync(string name, UserRole role, string password = AdminPassword)
    {
        await Get<UserService>().CreateUserAsync(name, password, role, Actor.System);
        return new Actor(name, role);
    }

    /// <summary>Signs in through the real form (antiforgery token and all); returns where the form sent the browser.</summary>
    public static async Task<HttpResponseMessage> SignInAsync(HttpClient client, string user, string password = AdminPassword, string path = "/account/login")
    {
        var form = await client.GetStringAsync(path);
        return await client.PostAsync(path, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = Token(form),
            ["_handler"] = "login",
            ["Input.UserName"] = user,
            ["Input.Password"] = password,
        }));
    }

    public static string Token(string html) => AntiforgeryField().Match(html) is { Success: true } m
        ? WebUtility.HtmlDecode(m.Groups[1].Value)
        : throw new InvalidOperationException("No antiforgery token in the page.");

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();
}
