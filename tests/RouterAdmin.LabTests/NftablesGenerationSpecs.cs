using RouterAdmin.Firewall.Apply;
using RouterAdmin.Firewall.Backends.Nftables;
using RouterAdmin.TestSupport.Lab;

namespace RouterAdmin.LabTests;

/// <summary>
/// The shortcut the nftables backend takes on the real kernel: a read (or its own committed transaction) stands for the
/// kernel's state while the ruleset's generation has not moved, and is listed again the moment anyone commits anything.
/// Each spec edits the ruleset behind the console's back where a stale read would hide the edit.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class NftablesGenerationSpecs
{
    private const string Backend = "Nftables";

    [LabFact]
    public async Task The_generation_moves_by_one_per_committed_nft_file_and_not_for_reads_or_refused_files()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var lab = await NetnsLab.CreateAsync(ct: ct);
        await using var console = await TestConsole.StartAsync(ConsoleSetup.OnLab(lab, Backend));
        var generations = console.Get<NftGeneration>();

        var first = await generations.ReadAsync() ?? throw new InvalidOperationException("the kernel did not say its generation");
        await lab.ExecAsync(lab.RouterNamespace, "nft", "-j", "list", "ruleset");
        Assert.Equal(first, await generations.ReadAsync());

        // Three commands in one file are one commit.
        await NftFileAsync(lab, "add table ip spec\nadd chain ip spec c\nadd rule ip spec c counter\n");
        var afterFile = await generations.ReadAsync();
        Assert.True(afterFile?.Follows(first), $"{first} then {afterFile}");

        // A file the kernel refuses commits nothing.
        await Assert.ThrowsAnyAsync<Exception>(() => NftFileAsync(lab, "add rule ip spec missing counter\n"));
        Assert.Equal(afterFile, await generations.ReadAsync());

        // iptables-nft writes through the same nf_tables transactions.
        await lab.IptablesAsync("-t", "nat", "-N", "SPEC-CHAIN");
        Assert.True((await generations.ReadAsync())?.Follows(afterFile!.Value));
    }

    [LabFact]
    public async Task A_namespace_made_again_under_the_same_name_is_a_new_one_for_the_kept_generation_socket_and_nft_context()
    {
        var ct = TestContext.Current.CancellationToken;
        var name = "ra-again-" + Guid.NewGuid().ToString("N")[..6];
        await LabCommand.RunAsync("ip", ["netns", "add", name], ct: ct);
        try
        {
            var options = Microsoft.Extensions.Options.Options.Create(new RouterAdmin.Firewall.Backends.FirewallOptions { Backend = RouterAdmin.Firewall.Backends.FirewallBackendKind.Nftables, Namespace = name });
            using var generations = new NftGeneration(options, Microsoft.Extensions.Logging.Abstractions.NullLogger<NftGeneration>.Instance);
            using var library = new NftLibrary(options, Microsoft.Extensions.Logging.Abstractions.NullLogger<NftLibrary>.Instance);
            var nft = new NftTools(new RouterAdmin.Firewall.Backends.CommandRunner(options, Microsoft.Extensions.Logging.Abstractions.NullLogger<RouterAdmin.Firewall.Backends.CommandRunner>.Instance), library, options);
            await nft.RunAsync("add table ip routeradmin\n", ct);
            var first = await generations.ReadAsync() ?? throw new InvalidOperationException("the kernel did not say its generation");
            Assert.Contains("\"routeradmin\"", await nft.ListJsonAsync(["-j", "list", "tables"], ct));

            await LabCommand.RunAsync("ip", ["netns", "delete", name], ct: ct);
            await LabCommand.RunAsync("ip", ["netns", "add", name], ct: ct);

            // Both kept sockets were opened in the old namespace; each must now speak to the new, empty one.
            var again = await generations.ReadAsync() ?? throw new InvalidOperationException("the kernel did not say its generation");
            Assert.NotEqual(first.Namespace, again.Namespace);
            Assert.False(again.Follows(first));
            Assert.DoesNotContain("\"routeradmin\"", await nft.ListJsonAsync(["-j", "list", "tables"], ct));
            await nft.RunAsync("add table ip routeradmin\n", ct);
            Assert.Contains("table ip routeradmin", await LabCommand.RunAsync("ip", ["netns", "exec", name, "nft", "list", "tables"], ct: ct));
        }
        finally
        {
            await LabCommand.TryRunAsync("ip", ["netns", "delete", name], ct: CancellationToken.None);
        }
    }

    [LabFact]
    public async Task An_element_removed_by_hand_between_preview_and_apply_moves_the_generation_and_the_apply_is_refused()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var lab = await NetnsLab.CreateAsync(ct: ct);
        await using var console = await TestConsole.StartAsync(ConsoleSetup.OnLab(lab, Backend));
        await console.SeedStoryAsync();
        await console.AssignAsync(1, 1);
        Assert.Equal(ApplyResultKind.Applied, (await console.PreviewAndApplyAsync("client1")).Result.Kind);
        await console.AssignAsync(2, 2);
        var preview = await console.Engine.PreviewApplyAsync(ct);

        await lab.ExecAsync(lab.RouterNamespace, "nft", "delete", "element", "ip", "routeradmin", "mappings",
            $"{{ {NetnsLab.ClientAddress(1)} . {NetnsLab.VpnServer} }}");
        var result = await console.Engine.ApplyAsync(new ApplyRequest(TestConsole.Admin, "after a hand edit", preview.Fingerprint), ct);

        // The read the preview took is not reused: the apply lists the table again, sees the missing element, and
        // refuses a preview that no longer says what the apply would do.
        Assert.Equal(ApplyResultKind.Refused, result.Kind);
        Assert.DoesNotContain((NetnsLab.ClientAddress(2), NetnsLab.ExternalAlias(2)), await RouterSnapshot.MappingsAsync(lab, Backend));
        Assert.Contains($"{NetnsLab.ClientAddress(1)} . {NetnsLab.VpnServer}", (await console.Engine.PreviewApplyAsync(ct)).Transaction);
    }

    [LabFact]
    public async Task After_an_apply_verified_from_the_generation_a_hand_edit_shows_at_once_as_drift_and_in_the_next_preview()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var lab = await NetnsLab.CreateAsync(ct: ct);
        await using var console = await TestConsole.StartAsync(ConsoleSetup.OnLab(lab, Backend));
        await console.SeedStoryAsync();
        await console.AssignAsync(1, 1);
        await console.AssignAsync(2, 2);
        Assert.Equal(ApplyResultKind.Applied, (await console.PreviewAndApplyAsync("two clients")).Result.Kind);
        // What the apply left is what a full listing finds: the state it remembered is the kernel's.
        Assert.True((await console.Engine.PreviewApplyAsync(ct)).InSync);
        Assert.Equal([(NetnsLab.ClientAddress(1), NetnsLab.ExternalAlias(1)), (NetnsLab.ClientAddress(2), NetnsLab.ExternalAlias(2))],
            await RouterSnapshot.MappingsAsync(lab, Backend));

        await lab.ExecAsync(lab.RouterNamespace, "nft", "add", "rule", "ip", "routeradmin", "postrouting", "ip", "saddr", "192.168.1.99", "return");

        var preview = await console.Engine.PreviewApplyAsync(ct);
        Assert.False(preview.InSync);
        Assert.Contains(preview.Change.Diff, l => l.Kind == Firewall.Diff.DiffKind.Removed && l.Text.Contains("192.168.1.99"));
        var check = await console.Engine.CheckAsync(ct);
        Assert.NotNull(check.Drift);
        Assert.False(check.Drift.InSync);
    }

    private static Task<string> NftFileAsync(NetnsLab lab, string text)
    {
        var path = Path.Combine(Path.GetTempPath(), $"ra-spec-{Guid.NewGuid():N}.nft");
        File.WriteAllText(path, text);
        return RunAndDeleteAsync();

        async Task<string> RunAndDeleteAsync()
        {
            try
            {
                return await lab.ExecAsync(lab.RouterNamespace, "nft", "-f", path);
            }
            finally
            {
                File.Delete(path);
            }
        }
    }
}
