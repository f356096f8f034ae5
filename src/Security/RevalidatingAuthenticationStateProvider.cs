using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server;

namespace RouterAdmin.Security;

/// <summary>
/// A Blazor circuit outlives the request that opened it. Every minute this checks that the account still exists with
/// the same password and role; if not, the circuit loses its authentication and the pages show the sign-in prompt.
/// </summary>
internal sealed class RevalidatingAuthenticationStateProvider(ILoggerFactory loggerFactory, UserService users)
    : RevalidatingServerAuthenticationStateProvider(loggerFactory)
{
    protected override TimeSpan RevalidationInterval => TimeSpan.FromMinutes(1);

    protected override Task<bool> ValidateAuthenticationStateAsync(AuthenticationState authenticationState, CancellationToken cancellationToken) =>
        users.IsCurrentAsync(authenticationState.User, cancellationToken);
}
