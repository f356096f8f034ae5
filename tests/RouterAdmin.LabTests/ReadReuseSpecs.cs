using RouterAdmin.Firewall.Apply;
using RouterAdmin.TestSupport.Lab;

namespace RouterAdmin.LabTests;

/// <summary>
/// A backend hands out the same read again while it can tell nothing it reads has changed (the nf_tables generation
/// for the rules, every owned address read afresh), so the apply after a preview runs the change the preview worked
/// out without working it out again. Each spec changes the router behind the console's back where a read handed out
/// again, or a change taken over from the preview, would hide the change.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class ReadReuseSpecs
{
    private const string HandWritten = "192.168.1.77";

    [LabTheory]
    [MemberData(nameof(TestConsole.Backends), MemberType = typeof(TestConsole))]
    public async Task A_read_is_handed_out_again_until_a_rule_or_an_address_changes_by_hand(string backend)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var lab = await NetnsLab.CreateAsync(ct: ct);
        await using var console = await ClientOneAppliedAsync(lab, backend);

        var first = await console.Backend.ReadAsync(ct);
        Assert.Same(first, await console.Backend.ReadAsync(ct));
        // Counters change with every packet: a read with them is always a new one.
        Assert.NotSame(await console.Backend.ReadAsync(ct, withCounters: true), await console.Backend.ReadAsync(ct, withCounters: true));

        // A rule someone else writes (iptables-nft commits to nf_tables like nft) moves the generation.
        await lab.IptablesAsync("-t", "nat", "-I", "POSTROUTING", "1", "-s", HandWritten, "-d", NetnsLab.VpnServer.ToString(), "-j", "SNAT", "--to-source", NetnsLab.ExternalAlias(4).ToString());
        var afterRule = await console.Backend.ReadAsync(ct);
        Assert.NotSame(first, afterRule);
        Assert.Contains(afterRule.ForeignSnat, r => r.Mapping?.Source.BaseAddress.ToString() == HandWritten);

        // An address removed by hand commits nothing in nf_tables: the addresses are read every time all the same.
        await lab.ExecAsync(lab.RouterNamespace, "ip", "addr", "del", $"{NetnsLab.ExternalAlias(1)}/{NetnsLab.WanPrefixLength}", "dev", NetnsLab.WanInterface);
        var afterAddress = await console.Backend.ReadAsync(ct);
        Assert.NotSame(afterRule, afterAddress);
        Assert.DoesNotContain(afterAddress.Addresses, a => a.Bound.Address.Equals(NetnsLab.ExternalAlias(1)));
        Assert.Same(afterAddress, await console.Backend.ReadAsync(ct));
    }

    [LabTheory]
    [MemberData(nameof(TestConsole.Backends), MemberType = typeof(TestConsole))]
    public async Task An_address_removed_by_hand_between_preview_and_apply_refuses_the_apply_and_the_next_preview_binds_it_again(string backend)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var lab = await NetnsLab.CreateAsync(ct: ct);
        await using var console = await ClientOneAppliedAsync(lab, backend);
        await console.AssignAsync(2, 2);
        var preview = await console.Engine.PreviewApplyAsync(ct);

        await lab.ExecAsync(lab.RouterNamespace, "ip", "addr", "del", $"{NetnsLab.ExternalAlias(1)}/{NetnsLab.WanPrefixLength}", "dev", NetnsLab.WanInterface);
        var result = await console.Engine.ApplyAsync(new ApplyRequest(TestConsole.Admin, "after a hand edit", preview.Fingerprint), ct);

        // The preview said nothing of binding client1's address again: the apply it stood for is no longer the one to run.
        Assert.Equal(ApplyResultKind.Refused, result.Kind);
        Assert.DoesNotContain((NetnsLab.ClientAddress(2), NetnsLab.ExternalAlias(2)), await RouterSnapshot.MappingsAsync(lab, backend));
        var again = await console.Engine.PreviewApplyAsync(ct);
        Assert.Contains(again.AddressesToAdd, a => a.Address.Equals(NetnsLab.ExternalAlias(1)));
        Assert.Equal(ApplyResultKind.Applied, (await console.Engine.ApplyAsync(new ApplyRequest(TestConsole.Admin, "again", again.Fingerprint), ct)).Kind);
        Assert.Equal([(NetnsLab.ClientAddress(1), NetnsLab.ExternalAlias(1)), (NetnsLab.ClientAddress(2), NetnsLab.ExternalAlias(2))],
            await RouterSnapshot.MappingsAsync(lab, backend));
    }

    /// <summary>The story's router with client1 leaving from its own address, applied.</summary>
    private static async Task<TestConsole> ClientOneAppliedAsync(NetnsLab lab, string backend)
    {
        var console = await TestConsole.StartAsync(ConsoleSetup.OnLab(lab, backend));
        await console.SeedStoryAsync();
        await console.AssignAsync(1, 1);
        Assert.Equal(ApplyResultKind.Applied, (await console.PreviewAndApplyAsync("client1")).Result.Kind);
        return console;
    }
}
