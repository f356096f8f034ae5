using RouterAdmin.TestSupport.Lab;
using Xunit;

namespace RouterAdmin.LabTests;

/// <summary>The console needs no root: an unprivileged user holding only CAP_NET_ADMIN can apply, bind and reset flows.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class LeastPrivilegeSpecs
{
    [LabTheory]
    [MemberData(nameof(TestConsole.Backends), MemberType = typeof(TestConsole))]
    public async Task An_unprivileged_user_with_only_cap_net_admin_can_apply_bind_addresses_and_reset_conntrack(string backend)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var lab = await NetnsLab.CreateAsync(ct: ct);
        await using var console = await TestConsole.StartAsync(ConsoleSetup.OnLab(lab, backend));
        await console.SeedStoryAsync(externalAddresses: 2);
        await console.AssignAsync(1, 1);
        // A live flow, so the apply has a conntrack entry to delete.
        var receiver = await lab.StartEspReceiverAsync(ct);
        await (await lab.OpenEspSenderAsync(lab.Clients[0], ct)).SendAsync(NetnsLab.VpnServer, 0xAB, 3, TimeSpan.FromMilliseconds(5), ct);
        Assert.True(await receiver.WaitForCountAsync(0xAB, 3, TimeSpan.FromSeconds(3), ct));
        File.SetUnixFileMode(console.Directory, (UnixFileMode)0x1FF);
        foreach (var file in Directory.GetFiles(console.Directory)) File.SetUnixFileMode(file, (UnixFileMode)0x1B6);

        // The unprivileged user cannot enter a checkout under a 0700 home directory, so it runs a copy it can read.
        var app = Directory.CreateTempSubdirectory("routeradmin-app-").FullName;
        try
        {
        var executable = ConsoleProcess.CopyForAnyUser(Path.Combine(app, "app"));
        File.SetUnixFileMode(app, (UnixFileMode)0x1ED);

        // Already inside the router's namespace, so no namespace switching (which would need CAP_SYS_ADMIN).
        var (code, output) = await ConsoleProcess.RunAsync(console, ["apply", "--reason", "as nobody", "--yes"], ct,
            new Dictionary<string, string?> { ["RouterAdmin:Firewall:Namespace"] = "" },
            launcher:
            [
                "ip", "netns", "exec", lab.RouterNamespace,
                "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                "--inh-caps=-all,+net_admin", "--ambient-caps=-all,+net_admin", "--bounding-set=-all,+net_admin",
            ], executable: executable);

        Assert.True(code == 0, output);
        Assert.Contains("1 conntrack entr(ies) reset", output);
        Assert.Equal([(NetnsLab.ClientAddress(1), NetnsLab.ExternalAlias(1))], await RouterSnapshot.MappingsAsync(lab, backend));
        Assert.Equal(["203.0.113.2/24", "203.0.113.3/24"], await RouterSnapshot.OwnedAddressesAsync(lab));
        Assert.Equal("cli", (await new HistoryReader(console).LastAsync()).Actor);
        }
        finally
        {
            Directory.Delete(app, recursive: true);
        }
    }
}
