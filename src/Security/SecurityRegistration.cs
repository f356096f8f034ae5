using Microsoft.AspNetCore.Identity;

namespace RouterAdmin.Security;

public static class SecurityRegistration
{
    /// <summary>Accounts, password checks and sessions: what the console and the verbs (create-admin) share.</summary>
    public static IServiceCollection AddSecurity(this IServiceCollection services)
    {
        // ASP.NET Core Identity's v3 format at its current default, said out loud: PBKDF2-HMAC-SHA512, 100,000
        // iterations. A stored hash with fewer (or the older SHA-256 / v2 formats) is replaced at the next sign-in.
        services.Configure<PasswordHasherOptions>(hashing =>
        {
            hashing.CompatibilityMode = PasswordHasherCompatibilityMode.IdentityV3;
            hashing.IterationCount = 100_000;
        });
        services.AddSingleton<IPasswordHasher<AppUser>, PasswordHasher<AppUser>>();
        services.AddSingleton<PasswordCheckGate>();
        services.AddSingleton<PasswordVerifier>();
        services.AddSingleton<SessionStore>();
        services.AddSingleton<UserService>();
        services.AddSingleton<ApiTokenService>();
        return services;
    }
}
