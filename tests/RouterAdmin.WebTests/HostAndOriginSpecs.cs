using System.Net;
using RouterAdmin.Security;
using Xunit;

namespace RouterAdmin.WebTests;

/// <summary>
/// A page that answers under any Host name can be reached through DNS rebinding, and a hub that takes any Origin can be
/// driven from another site: only the console's own names and origin are accepted.
/// </summary>
public sealed class HostAndOriginSpecs
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("evil.example", false)]
    [InlineData("routeradmin.attacker.example", false)]
    [InlineData("127.0.0.1", true)]
    [InlineData("localhost", true)]
    public async Task Only_the_host_names_of_the_listening_address_and_loopback_are_answered(string host, bool accepted)
    {
        await using var console = await TestConsole.StartAsync(ConsoleSetup.WebApp());
        await console.CreateUserAsync("admin", UserRole.Admin);
        using var client = console.CreateClient();

        using var request = new HttpRequestMessage(HttpMethod.Get, "/account/login");
        request.Headers.Host = $"{host}:{console.Address.Port}";
        using var response = await client.SendAsync(request, Ct);

        Assert.Equal(accepted ? HttpStatusCode.OK : HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task The_host_names_can_be_configured_and_then_only_those_are_answered()
    {
        await using var console = await TestConsole.StartAsync(ConsoleSetup.WebApp() with { Settings = new Dictionary<string, string?> { ["AllowedHosts"] = "router.example.lan;10.0.0.1" } });
        await console.CreateUserAsync("admin", UserRole.Admin);
        using var client = console.CreateClient();

        foreach (var (host, expected) in new[] { ("router.example.lan", HttpStatusCode.OK), ("10.0.0.1", HttpStatusCode.OK), ("evil.example", HttpStatusCode.BadRequest) })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/healthz");
            request.Headers.Host = host;
            using var response = await client.SendAsync(request, Ct);
            Assert.True(expected == response.StatusCode, $"Host {host}: {response.StatusCode}");
        }
    }

    [Fact]
    public async Task The_blazor_hub_refuses_a_negotiation_from_another_origin_and_accepts_its_own()
    {
        await using var console = await TestConsole.StartAsync(ConsoleSetup.WebApp());
        await console.CreateUserAsync("admin", UserRole.Admin);
        using var client = console.CreateClient();
        await TestConsole.SignInAsync(client, "admin");
        var own = console.Address.GetLeftPart(UriPartial.Authority);

        using var foreign = await NegotiateAsync(client, "http://evil.example");
        using var lookalike = await NegotiateAsync(client, $"http://evil.example:{console.Address.Port}");
        using var ours = await NegotiateAsync(client, own);

        Assert.Equal(HttpStatusCode.Forbidden, foreign.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, lookalike.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ours.StatusCode);
    }

    private static async Task<HttpResponseMessage> NegotiateAsync(HttpClient client, string origin)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/_blazor/negotiate?negotiateVersion=1");
        request.Headers.Add("Origin", origin);
        return await client.SendAsync(request, Ct);
    }
}
