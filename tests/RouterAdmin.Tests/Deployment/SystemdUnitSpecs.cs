using System.Diagnostics;
using Xunit;

namespace RouterAdmin.Tests.Deployment;

/// <summary>
/// The shipped systemd units as systemd itself reads them, and the restore unit tied to nftables.service, whose
/// <c>flush ruleset</c> would otherwise leave the router without RouterAdmin's rules after every restart or reload.
/// </summary>
public sealed class SystemdUnitSpecs
{
    private static string Units
    {
        get
        {
            for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
                if (File.Exists(Path.Combine(d.FullName, "RouterAdmin.sln"))) return Path.Combine(d.FullName, "docker", "systemd");
            throw new InvalidOperationException("The repository root (RouterAdmin.sln) was not found above the test binaries.");
        }
    }

    private static IReadOnlyList<string> Directive(string unit, string name) =>
        File.ReadAllLines(Path.Combine(Units, unit))
            .Where(line => line.StartsWith(name + "=", StringComparison.Ordinal))
            .SelectMany(line => line[(name.Length + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .ToArray();

    [Fact]
    public void The_restore_runs_after_nftables_and_again_whenever_nftables_starts_restarts_or_reloads()
    {
        const string unit = "routeradmin-restore.service";

        Assert.Contains("nftables.service", Directive(unit, "After"));
        Assert.Contains("nftables.service", Directive(unit, "PartOf"));
        Assert.Contains("nftables.service", Directive(unit, "ReloadPropagatedFrom"));
        Assert.Contains("nftables.service", Directive(unit, "WantedBy"));
        Assert.Equal(Directive(unit, "ExecStart"), Directive(unit, "ExecReload"));
        Assert.Equal(["/opt/routeradmin/RouterAdmin", "restore"], Directive(unit, "ExecStart"));
        // Both units must drive the same backend, or the restore would put back rules the console does not read.
        Assert.Equal(Directive("routeradmin.service", "Environment").Where(e => e.Contains("Backend", StringComparison.Ordinal)),
            Directive(unit, "Environment").Where(e => e.Contains("Backend", StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData("routeradmin.service")]
    [InlineData("routeradmin-restore.service")]
    public void Both_units_create_files_readable_only_by_the_console_user(string unit)
    {
        // The database holds password hashes and the keys folder the cookie keys; whichever unit starts first creates them.
        Assert.Equal(["0077"], Directive(unit, "UMask"));
        Assert.Equal(["routeradmin"], Directive(unit, "StateDirectory"));
        Assert.Equal(["0700"], Directive(unit, "StateDirectoryMode"));
    }

    [Fact]
    public async Task Systemd_accepts_both_units()
    {
        var analyze = new[] { "/usr/bin/systemd-analyze", "/bin/systemd-analyze" }.FirstOrDefault(File.Exists);
        Assert.True(analyze is not null, "systemd-analyze (Debian's systemd package) is needed to check the units");
        var folder = Directory.CreateTempSubdirectory("routeradmin-units-").FullName;
        try
        {
            // The executable is not installed here; systemd checks that it exists, so point the units at one that does.
            foreach (var unit in Directory.GetFiles(Units, "*.service"))
                await File.WriteAllTextAsync(Path.Combine(folder, Path.GetFileName(unit)),
                    (await File.ReadAllTextAsync(unit, TestContext.Current.CancellationToken)).Replace("/opt/routeradmin/RouterAdmin", "/bin/true", StringComparison.Ordinal),
                    TestContext.Current.CancellationToken);
            var start = new ProcessStartInfo(analyze!, ["verify", "--man=no", .. Directory.GetFiles(folder)]) { RedirectStandardError = true, RedirectStandardOutput = true, WorkingDirectory = folder };
            using var process = Process.Start(start)!;
            var errors = await process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
            await process.WaitForExitAsync(TestContext.Current.CancellationToken);

            Assert.True(process.ExitCode == 0 && errors.Trim().Length == 0, $"systemd-analyze verify: exit {process.ExitCode}: {errors}");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
