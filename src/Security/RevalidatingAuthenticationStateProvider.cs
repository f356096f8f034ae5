using System.Security.Claims;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server;

namespace RouterAdmin.Security;

/// <summary>
/// A Blazor circuit outlives the request that opened it. Every minute, and at once whenever a session of its account
/// ends (sign-out in another tab, password or role change, removal), this checks that the account still exists with
/// the same password and role and that the circuit's session is still open; if not, the circuit loses its
/// authentication and the pages show the sign-in prompt.
/// </summary>
internal sealed class RevalidatingAuthenticationStateProvider : RevalidatingServerAuthenticationStateProvider
{
    private static readonly AuthenticationState SignedOut = new(new ClaimsPrincipal(new ClaimsIdentity()));

    private readonly UserService _users;
    private readonly IDisposable _subscription;
    private readonly CancellationTokenSource _disposed = new();

    public RevalidatingAuthenticationStateProvider(ILoggerFactory loggerFactory, UserService users, SessionStore sessions) : base(loggerFactory)
    {
        _users = users;
        _subscription = sessions.OnEnded(userId => _ = RecheckAsync(userId));
    }

    protected override TimeSpan RevalidationInterval => TimeSpan.FromMinutes(1);

    protected override Task<bool> ValidateAuthenticationStateAsync(AuthenticationState authenticationState, CancellationToken cancellationToken) =>
        _users.IsCurrentAsync(authenticationState.User, cancellationToken);

    private async Task RecheckAsync(int userId)
    {
        try
        {
            var user = (await GetAuthenticationStateAsync()).User;
            var id = userId.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (user.Identity?.IsAuthenticated != true || user.FindFirstValue(ClaimTypes.NameIdentifier) != id)
                return;
            if (!await _users.IsCurrentAsync(user, _disposed.Token))
                SetAuthenticationState(Task.FromResult(SignedOut));
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException && _disposed.IsCancellationRequested)
        {
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _subscription.Dispose();
            _disposed.Cancel();
            _disposed.Dispose();
        }
        base.Dispose(disposing);
    }
}
