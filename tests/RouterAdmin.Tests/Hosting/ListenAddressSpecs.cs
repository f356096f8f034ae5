using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using RouterAdmin.Hosting;
using RouterAdmin.Tests.Support;
using Xunit;

namespace RouterAdmin.Tests.Hosting;

[CollectionDefinition(nameof(ProcessEnvironment), DisableParallelization = true)]
public sealed class ProcessEnvironment;

/// <summary>
/// Where the console listens: what every .NET user and container sets (ASPNETCORE_URLS, --urls) wins, and only when
/// nothing is set does <c>dotnet run</c> keep to loopback port 5080. These specs change the process's environment,
/// so they run alone.
/// </summary>
[Collection(nameof(ProcessEnvironment))]
public sealed class ListenAddressSpecs : IDisposable
{
    private readonly string _folder = TestDatabase.NewFolder();
    private readonly string? _urls = Environment.GetEnvironmentVariable("ASPNETCORE_URLS");

    [Fact]
    public async Task With_nothing_set_the_console_listens_on_loopback_port_5080()
    {
        Environment.SetEnvironmentVariable("ASPNETCORE_URLS", null);
        await using var app = Build();

        Assert.Equal(RouterAdminHost.DefaultUrl, app.Configuration[WebHostDefaults.ServerUrlsKey]);
    }

    [Fact]
    public async Task ASPNETCORE_URLS_wins_over_the_default()
    {
        Environment.SetEnvironmentVariable("ASPNETCORE_URLS", "http://127.0.0.1:0");
        await using var app = Build();

        await app.StartAsync(TestContext.Current.CancellationToken);

        var address = new Uri(Listening(app));
        Assert.Equal("127.0.0.1", address.Host);
        Assert.NotEqual(5080, address.Port);
        await app.StopAsync(TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task The_urls_argument_wins_over_ASPNETCORE_URLS()
    {
        Environment.SetEnvironmentVariable("ASPNETCORE_URLS", "http://127.0.0.1:5999");
        await using var app = Build("--urls=http://127.0.0.1:0");

        await app.StartAsync(TestContext.Current.CancellationToken);

        Assert.NotEqual(5999, new Uri(Listening(app)).Port);
        await app.StopAsync(TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Kestrel_endpoints_in_configuration_are_left_alone()
    {
        Environment.SetEnvironmentVariable("ASPNETCORE_URLS", null);
        await using var app = Build("--Kestrel:Endpoints:Http:Url=http://127.0.0.1:0");

        Assert.Null(app.Configuration[WebHostDefaults.ServerUrlsKey]);
    }

    private Microsoft.AspNetCore.Builder.WebApplication Build(params string[] args) => RouterAdminHost.BuildWebApp(
    [
        .. args,
        $"--RouterAdmin:Database:Path={Path.Combine(_folder, "routeradmin.db")}",
        "--RouterAdmin:Drift:CheckInterval=00:00:00",
        "--Logging:LogLevel:Default=None",
    ]);

    private static string Listening(Microsoft.AspNetCore.Builder.WebApplication app) =>
        app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();

    public void Dispose()
    {
        Environment.SetEnvironmentVariable("ASPNETCORE_URLS", _urls);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
    }
}
