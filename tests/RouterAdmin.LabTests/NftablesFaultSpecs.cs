using RouterAdmin.Firewall.Apply;
using RouterAdmin.History;
using RouterAdmin.TestSupport.Lab;

namespace RouterAdmin.LabTests;

/// <summary>
/// The nftables backend's own faults on the real kernel: the one binary that both reads and changes the router is
/// missing, the kernel refuses the transaction, someone edits the owned table while the apply runs, and hostile text
/// in a name. Each leaves the router as it was (or puts it back) and says what happened.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class NftablesFaultSpecs
{
    private const string Backend = "Nftables";

    /// <summary>The two ways the console runs nft: its library in the process (the default), or the binary.</summary>
    public static TheoryData<string, string, string> MissingNft => new()
    {
        { "binary", "RouterAdmin:Firewall:Paths:Nft", "/nonexistent/nft" },
        { "library", "RouterAdmin:Firewall:NftLibrary", "/nonexistent/libnftables.so.1" },
    };

    [LabTheory]
    [MemberData(nameof(MissingNft))]
    public async Task A_missing_nft_fails_the_preview_with_its_path_and_nothing_reaches_the_kernel(string way, string setting, string missing)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var lab = await NetnsLab.CreateAsync(ct: ct);
        var setup = ConsoleSetup.OnLab(lab, Backend).With(setting, missing);
        await using var console = await TestConsole.StartAsync(way == "binary" ? setup.With("RouterAdmin:Firewall:NftLibrary", "") : setup);
        await console.SeedStoryAsync();
        await console.AssignAsync(1, 1);
        var before = await KernelFaultSpecs.KernelAsync(lab, Backend);

        var failure = await Assert.ThrowsAnyAsync<Exception>(() => console.Engine.PreviewApplyAsync(ct));

        Assert.Contains(missing, failure.Message);
        Assert.Equal(before, await KernelFaultSpecs.KernelAsync(lab, Backend));
        Assert.Empty(await new HistoryReader(console).AllAsync());
    }

    [LabFact]
    public async Task A_transaction_the_kernel_refuses_changes_nothing_and_the_history_keeps_what_nft_said()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var lab = await NetnsLab.CreateAsync(ct: ct);
        using var nft = NftWrapper.Create("echo 'Error: Could not process rule: Device or resource busy' >&2; exit 1");
        await using var console = await TestConsole.StartAsync(ThroughBinary(lab, nft));
        await console.SeedStoryAsync();
        await console.AssignAsync(1, 1);
        var before = await KernelFaultSpecs.KernelAsync(lab, Backend);

        var (_, result) = await console.PreviewAndApplyAsync("the kernel says no");

        Assert.Equal(ApplyResultKind.Failed, result.Kind);
        Assert.Equal("nft -f", result.FailedStep);
        Assert.Contains("Device or resource busy", result.Error);
        Assert.Equal(before, await KernelFaultSpecs.KernelAsync(lab, Backend));
        var revision = await new HistoryReader(console).LastAsync();
        Assert.Equal(RevisionStatus.Failed, revision.Status);
        Assert.Equal(result.FailedStep, revision.FailedStep);
    }

    [LabFact]
    public async Task A_rule_added_to_the_owned_table_during_the_apply_is_caught_by_the_read_back_and_the_snapshot_restored()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var lab = await NetnsLab.CreateAsync(ct: ct);
        // Right after our transaction, once, another administrator adds a rule to our chain.
        using var nft = NftWrapper.Create($"\"$real\" \"$@\"; code=$?; if [ -e \"$trigger\" ]; then rm -f \"$trigger\"; \"$real\" add rule ip routeradmin postrouting ip saddr 192.168.1.99 return; fi; exit $code");
        await using var console = await TestConsole.StartAsync(ThroughBinary(lab, nft));
        await console.SeedStoryAsync();
        await console.AssignAsync(1, 1);
        Assert.Equal(ApplyResultKind.Applied, (await console.PreviewAndApplyAsync("good state")).Result.Kind);
        var before = await KernelFaultSpecs.KernelAsync(lab, Backend);
        await console.AssignAsync(2, 2);
        var preview = await console.Engine.PreviewApplyAsync(ct);
        nft.ArmTrigger();

        var result = await console.Engine.ApplyAsync(new ApplyRequest(TestConsole.Admin, "someone edits the table meanwhile", preview.Fingerprint), ct);

        Assert.False(nft.TriggerArmed, "the meddling must have happened");
        Assert.Equal(ApplyResultKind.Failed, result.Kind);
        Assert.Equal("verify", result.FailedStep);
        Assert.Equal(before, await KernelFaultSpecs.KernelAsync(lab, Backend));
        Assert.Equal(RevisionStatus.Failed, (await new HistoryReader(console).LastAsync()).Status);
    }

    [LabFact]
    public async Task Quotes_braces_and_nft_syntax_in_a_clients_name_become_a_harmless_comment_and_touch_nothing_else()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var lab = await NetnsLab.CreateAsync(ct: ct);
        await using var console = await TestConsole.StartAsync(ConsoleSetup.OnLab(lab, Backend));
        await console.SeedStoryAsync();
        var foreignBefore = await RouterSnapshot.ForeignRulesetAsync(lab, Backend);
        const string hostile = "Mallory\" } ; flush ruleset ; add table ip evil { \n delete table ip nat '$(reboot)`";
        await using (var db = await console.OpenDatabaseAsync())
        {
            var client = await db.Clients.FindAsync([console.ClientIds[1]], ct);
            client!.Name = hostile;
            client.Notes = hostile;
            await db.SaveChangesAsync(ct);
        }
        await console.AssignAsync(1, 1);

        var (_, result) = await console.PreviewAndApplyAsync("hostile name");

        Assert.Equal(ApplyResultKind.Applied, result.Kind);
        Assert.Equal([(NetnsLab.ClientAddress(1), NetnsLab.ExternalAlias(1))], await RouterSnapshot.MappingsAsync(lab, Backend));
        var table = await RouterSnapshot.OwnedRulesAsync(lab, Backend);
        var comment = System.Text.RegularExpressions.Regex.Match(table, "192\\.168\\.1\\.2 \\. [0-9.]+ counter comment \"([^\"]*)\"").Groups[1].Value;
        Assert.StartsWith("Mallory", comment);
        Assert.DoesNotContain(comment, c => c is '"' or '{' or '}' or ';' or '\n' or '\'' or '$' or '`');
        Assert.Equal(foreignBefore, await RouterSnapshot.ForeignRulesetAsync(lab, Backend));
        Assert.DoesNotContain("table ip evil", await lab.ExecAsync(lab.RouterNamespace, "nft", "list", "tables"));
    }

    /// <summary>The console told to start the binary at the wrapper's path instead of running nft in the process.</summary>
    private static ConsoleSetup ThroughBinary(NetnsLab lab, NftWrapper nft) =>
        ConsoleSetup.OnLab(lab, Backend).With("RouterAdmin:Firewall:NftLibrary", "").With("RouterAdmin:Firewall:Paths:Nft", nft.Path);

    /// <summary>
    /// A stand-in for <c>nft</c> at a path the console is told to use: a shell script that plays one fault and otherwise
    /// runs the real binary. It runs where the console runs it (inside the router's namespace).
    /// </summary>
    private sealed class NftWrapper : IDisposable
    {
        private readonly string _folder;

        private NftWrapper(string folder) => _folder = folder;

        public string Path => System.IO.Path.Combine(_folder, "nft");
        private string Trigger => System.IO.Path.Combine(_folder, "meddle-once");
        public bool TriggerArmed => File.Exists(Trigger);

        /// <param name="body">Shell; <c>$real</c> is the real nft, <c>$trigger</c> a file the spec may create with <see cref="ArmTrigger"/>.</param>
        public static NftWrapper Create(string body)
        {
            var wrapper = new NftWrapper(Directory.CreateTempSubdirectory("routeradmin-nft-").FullName);
            var real = LabTools.Resolve("nft");
            // Reads (nft -j list ...) always go to the real binary, so the fault hits the transaction alone.
            File.WriteAllText(wrapper.Path, $"#!/bin/sh\nreal='{real}'\ntrigger='{wrapper.Trigger}'\nif [ \"$1\" != \"-f\" ]; then exec \"$real\" \"$@\"; fi\n{body}\n");
            File.SetUnixFileMode(wrapper.Path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            return wrapper;
        }

        public void ArmTrigger() => File.WriteAllText(Trigger, "");

        public void Dispose() => Directory.Delete(_folder, recursive: true);
    }
}
