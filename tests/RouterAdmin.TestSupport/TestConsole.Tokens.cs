using System.Net.Http.Headers;
using RouterAdmin.Security;

namespace RouterAdmin.TestSupport;

/// <summary>API tokens as a script holds them: made through the token service, sent as <c>Authorization: Bearer</c>.</summary>
public sealed partial class TestConsole
{
    /// <summary>A token for an existing account, made by the system as the CLI makes one.</summary>
    public async Task<CreatedApiToken> CreateTokenAsync(string user, string name, UserRole role, DateTimeOffset? expiresAt = null) =>
        await Get<ApiTokenService>().CreateAsync(user, name, role, expiresAt, Actor.System, TestContext.Current.CancellationToken);

    /// <summary>A client without cookies that carries the token on every request.</summary>
    public HttpClient CreateTokenClient(string secret)
    {
        var client = new HttpClient { BaseAddress = Address };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", secret);
        return client;
    }
}
