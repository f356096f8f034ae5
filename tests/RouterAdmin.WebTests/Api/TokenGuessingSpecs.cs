using System.Net;
using RouterAdmin.Security;
using Xunit;

namespace RouterAdmin.WebTests.Api;

/// <summary>A console of its own: once its address is throttled, even a good token from there waits out the minute.</summary>
public sealed class TokenGuessingSpecs
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Token_guessing_from_one_address_is_answered_429_like_sign_ins()
    {
        await using var console = await TestConsole.StartAsync(ConsoleSetup.WebApp().With("RouterAdmin:Security:SignInAttemptsPerAddressPerMinute", "3"));
        await console.CreateUserAsync("admin", UserRole.Admin);
        var good = (await console.CreateTokenAsync("admin", "good", UserRole.Admin)).Secret;
        var limit = console.Get<Microsoft.Extensions.Options.IOptions<SecurityOptions>>().Value.SignInAttemptsPerAddressPerMinute;
        using var guesser = console.CreateTokenClient("ra_guess");
        for (var n = 0; n < limit; n++)
            Assert.Equal(HttpStatusCode.Unauthorized, (await guesser.GetAsync("/api/v1/status", Ct)).StatusCode);

        using var throttled = await guesser.GetAsync("/api/v1/status", Ct);

        Assert.Equal(HttpStatusCode.TooManyRequests, throttled.StatusCode);
        Assert.Equal("60", throttled.Headers.GetValues("Retry-After").Single());
        using var honest = console.CreateTokenClient(good);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await honest.GetAsync("/api/v1/status", Ct)).StatusCode);
    }
}
