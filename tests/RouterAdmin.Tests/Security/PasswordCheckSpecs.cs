using System.Diagnostics;
using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using RouterAdmin.Data;
using RouterAdmin.Hosting;
using RouterAdmin.Security;
using RouterAdmin.Tests.Support;
using Xunit;

namespace RouterAdmin.Tests.Security;

/// <summary>The password check itself, on a real SQLite file: counted atomically, the same price for every refusal, hashes kept strong.</summary>
public sealed class PasswordCheckSpecs
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private const string Password = "correct horse battery staple";

    [Fact]
    public async Task Wrong_passwords_checked_at_the_same_time_are_each_counted()
    {
        await using var services = await ServicesAsync();
        var users = services.GetRequiredService<UserService>();
        await users.CreateUserAsync("admin", Password, UserRole.Admin, Actor.System, Ct);

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 4).Select(i => Task.Run(() => users.CheckPasswordAsync("admin", $"wrong guess {i}", Ct), Ct)));

        Assert.All(outcomes, o => Assert.Equal(SignInOutcome.Failed, o.Outcome));
        await using var db = await services.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContextAsync(Ct);
        Assert.Equal(4, (await db.Users.SingleAsync(Ct)).FailedLoginCount);
    }

    [Fact]
    public async Task Parallel_wrong_passwords_lock_the_account_and_the_right_one_is_then_refused()
    {
        await using var services = await ServicesAsync();
        var users = services.GetRequiredService<UserService>();
        await users.CreateUserAsync("admin", Password, UserRole.Admin, Actor.System, Ct);

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 30).Select(i => Task.Run(() => users.CheckPasswordAsync("admin", $"wrong guess {i}", Ct), Ct)));
        var (right, user) = await users.CheckPasswordAsync("admin", Password, Ct);

        Assert.DoesNotContain(outcomes, o => o.Outcome == SignInOutcome.Succeeded);
        Assert.Equal(SignInOutcome.LockedOut, right);
        Assert.Null(user);
        await using var db = await services.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContextAsync(Ct);
        Assert.NotNull((await db.Users.SingleAsync(Ct)).LockoutEndsAt);
    }

    [Fact]
    public async Task A_locked_account_an_unknown_name_and_a_wrong_password_take_about_as_long_to_refuse()
    {
        await using var services = await ServicesAsync();
        var users = services.GetRequiredService<UserService>();
        await users.CreateUserAsync("locked", Password, UserRole.Admin, Actor.System, Ct);
        await users.CreateUserAsync("known", Password, UserRole.Admin, Actor.System, Ct);
        for (var i = 0; i < 5; i++) await users.CheckPasswordAsync("locked", "wrong password", Ct);
        Assert.Equal(SignInOutcome.LockedOut, (await users.CheckPasswordAsync("locked", Password, Ct)).Outcome);

        var (locked, unknown, wrong) = (new List<double>(), new List<double>(), new List<double>());
        for (var round = 0; round < 7; round++)
        {
            locked.Add(await TimeAsync(() => users.CheckPasswordAsync("locked", "wrong password", Ct)));
            unknown.Add(await TimeAsync(() => users.CheckPasswordAsync($"nobody{round}", "wrong password", Ct)));
            // Unlocked again each round so it stays a plain wrong password, never a lockout.
            if (round % 4 == 3) await users.UnlockAsync((await users.ListAsync(Ct)).Single(u => u.UserName == "known").Id, Actor.System, Ct);
            wrong.Add(await TimeAsync(() => users.CheckPasswordAsync("known", "wrong password", Ct)));
        }

        var (l, u, w) = (Median(locked), Median(unknown), Median(wrong));
        TestContext.Current.TestOutputHelper?.WriteLine($"median refusal: locked {l:N1} ms, unknown {u:N1} ms, wrong password {w:N1} ms");
        Assert.True(l > 0.5 * u && u > 0.5 * l, $"locked {l:N1} ms vs unknown {u:N1} ms");
        Assert.True(w > 0.5 * u && u > 0.5 * w, $"wrong password {w:N1} ms vs unknown {u:N1} ms");
    }

    [Theory]
    [InlineData(1, 10_000)] // ASP.NET Core before .NET 7: PBKDF2-HMAC-SHA256, 10,000 iterations
    [InlineData(2, 10_000)] // SHA-512 but too few iterations
    public async Task A_weaker_stored_hash_is_replaced_at_the_next_sign_in_by_one_at_todays_work_factor(int prf, int iterations)
    {
        await using var services = await ServicesAsync();
        var users = services.GetRequiredService<UserService>();
        await users.CreateUserAsync("old", "a placeholder password", UserRole.Admin, Actor.System, Ct);
        var factory = services.GetRequiredService<IDbContextFactory<AppDbContext>>();
        await using (var db = await factory.CreateDbContextAsync(Ct))
            await db.Users.ExecuteUpdateAsync(s => s.SetProperty(u => u.PasswordHash, V3Hash(Password, prf, iterations)), Ct);

        Assert.Equal(SignInOutcome.Succeeded, (await users.CheckPasswordAsync("old", Password, Ct)).Outcome);

        await using (var db = await factory.CreateDbContextAsync(Ct))
        {
            var stored = Convert.FromBase64String((await db.Users.SingleAsync(Ct)).PasswordHash);
            Assert.Equal(0x01, stored[0]);
            Assert.Equal(2u, ReadUInt32(stored, 1)); // HMAC-SHA512
            Assert.True(ReadUInt32(stored, 5) >= 100_000, $"{ReadUInt32(stored, 5)} iterations");
        }
        Assert.Equal(SignInOutcome.Succeeded, (await users.CheckPasswordAsync("old", Password, Ct)).Outcome);
    }

    [Fact]
    public async Task New_passwords_are_hashed_with_pbkdf2_sha512_at_100000_iterations_or_more()
    {
        await using var services = await ServicesAsync();
        await services.GetRequiredService<UserService>().CreateUserAsync("admin", Password, UserRole.Admin, Actor.System, Ct);
        await using var db = await services.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContextAsync(Ct);
        var stored = Convert.FromBase64String((await db.Users.SingleAsync(Ct)).PasswordHash);
        Assert.Equal((0x01, 2u), (stored[0], ReadUInt32(stored, 1)));
        Assert.True(ReadUInt32(stored, 5) >= 100_000);
    }

    /// <summary>
    /// The console's core services on a migrated SQLite file, with the per-name attempt limit out of the way so that
    /// these specs see the lockout and the hashing, not the throttle.
    /// </summary>
    private static Task<ServiceProvider> ServicesAsync() =>
        CoreServices.OnMigratedFileAsync(new Dictionary<string, string?> { ["RouterAdmin:Security:SignInAttemptsPerUserPerMinute"] = "1000" });

    private static async Task<double> TimeAsync<T>(Func<Task<T>> action)
    {
        var started = Stopwatch.GetTimestamp();
        await action();
        return Stopwatch.GetElapsedTime(started).TotalMilliseconds;
    }

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

    /// <summary>ASP.NET Core's v3 format: 0x01, PRF, iterations, salt length (big-endian), salt, subkey.</summary>
    private static string V3Hash(string password, int prf, int iterations)
    {
        var salt = RandomNumberGenerator.GetBytes(16);
        var subkey = Rfc2898DeriveBytes.Pbkdf2(password, salt, iterations, prf == 1 ? HashAlgorithmName.SHA256 : HashAlgorithmName.SHA512, 32);
        var bytes = new byte[13 + salt.Length + subkey.Length];
        bytes[0] = 0x01;
        WriteUInt32(bytes, 1, (uint)prf);
        WriteUInt32(bytes, 5, (uint)iterations);
        WriteUInt32(bytes, 9, (uint)salt.Length);
        salt.CopyTo(bytes, 13);
        subkey.CopyTo(bytes, 13 + salt.Length);
        return Convert.ToBase64String(bytes);
    }

    private static uint ReadUInt32(byte[] b, int at) => (uint)(b[at] << 24 | b[at + 1] << 16 | b[at + 2] << 8 | b[at + 3]);

    private static void WriteUInt32(byte[] b, int at, uint v) =>
        (b[at], b[at + 1], b[at + 2], b[at + 3]) = ((byte)(v >> 24), (byte)(v >> 16), (byte)(v >> 8), (byte)v);
}
