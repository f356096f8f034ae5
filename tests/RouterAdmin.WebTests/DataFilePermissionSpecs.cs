using RouterAdmin.Security;
using Xunit;

namespace RouterAdmin.WebTests;

/// <summary>The database holds password hashes and the keys folder the cookie keys: only the console's own user reads them.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class DataFilePermissionSpecs
{
    private const UnixFileMode OwnerOnlyFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode OwnerOnlyFolder = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    [Fact]
    public async Task The_database_its_journal_files_and_the_keys_folder_are_readable_only_by_the_console_user()
    {
        await using var console = await TestConsole.StartAsync(ConsoleSetup.WebApp());
        await console.CreateUserAsync("admin", UserRole.Admin);
        using var client = console.CreateClient();
        // A sign-in writes the cookie's key and commits to the write-ahead log.
        await TestConsole.SignInAsync(client, "admin");

        foreach (var file in new[] { console.DatabasePath, console.DatabasePath + "-wal", console.DatabasePath + "-shm" })
        {
            Assert.True(File.Exists(file), $"{file} is missing");
            Assert.Equal(OwnerOnlyFile, File.GetUnixFileMode(file));
        }
        var keys = Path.Combine(console.Directory, "keys");
        Assert.Equal(OwnerOnlyFolder, File.GetUnixFileMode(keys));
        Assert.NotEmpty(Directory.GetFiles(keys));
    }
}
