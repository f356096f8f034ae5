using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using RouterAdmin.Hosting;
using RouterAdmin.Security;

namespace RouterAdmin.WebTests.Hosting;

/// <summary>The real console, built as Program builds it, listening on a free loopback port with its own SQLite file.</summary>
public sealed partial class RunningConsole : IAsyncDisposable
{
    public const string AdminPassword = "correct horse battery staple";

    private readonly WebApplication _app;

    private RunningConsole(WebApplication app, string directory, Uri address)
    {
        _app = app;
        Directory = directory;
        Address = address;
    }

    public string Directory { get; }
    public Uri Address { get; }
    public IServiceProvider Services => _app.Services;
    public string DatabasePath => Path.Combine(Directory, "routeradmin.db");

    public static async Task<RunningConsole> StartAsync(IDictionary<string, string?>? settings = null, Action<IServiceCollection>? services = null)
    {
        var directory = System.IO.Directory.CreateTempSubdirectory("routeradmin-web-").FullName;
        var args = new List<string>
        {
            "--urls=http://127.0.0.1:0",
            "--environment=Production",
            $"--RouterAdmin:Database:Path={Path.Combine(directory, "routeradmin.db")}",
            "--RouterAdmin:Drift:CheckInterval=00:00:00",
            "--Logging:LogLevel:Default=Warning",
        };
        args.AddRange((settings ?? new Dictionary<string, string?>()).Select(p => $"--{p.Key}={p.Value}"));
        var app = RouterAdminHost.BuildWebApp([.. args], builder => services?.Invoke(builder.Services));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new RunningConsole(app, directory, new Uri(address));
    }

    /// <summary>A browser-like client: keeps cookies, does not follow redirects (so tests can see them).</summary>
    public HttpClient CreateClient(CookieContainer? cookies = null) =>
        new(new HttpClientHandler { CookieContainer = cookies ?? new CookieContainer(), AllowAutoRedirect = false, UseCookies = true })
        {
            BaseAddress = Address,
        };

    public async Task<Actor> CreateUserAsync(string name, UserRole role, string password = AdminPassword)
    {
        var users = Services.GetRequiredService<UserService>();
        await users.CreateUserAsync(name, password, role, Actor.System);
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

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { System.IO.Directory.Delete(Directory, recursive: true); } catch (IOException) { }
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();
}
