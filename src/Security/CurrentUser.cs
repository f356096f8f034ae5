using Microsoft.AspNetCore.Components.Authorization;

namespace RouterAdmin.Security;

/// <summary>The signed-in user of this Blazor circuit, as the <see cref="Actor"/> the services want.</summary>
public sealed class CurrentUser(AuthenticationStateProvider authentication)
{
    public async Task<Actor> GetActorAsync()
    {
        var state = await authentication.GetAuthenticationStateAsync();
        return UserService.ActorOf(state.User);
    }
}
