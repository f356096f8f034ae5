using System.Net;
using System.Text;
using Microsoft.EntityFrameworkCore;
using RouterAdmin.Domain;
using RouterAdmin.Firewall.Apply;
using RouterAdmin.History;
using RouterAdmin.History.Storage;
using RouterAdmin.Inventory;
using RouterAdmin.Tests.Support;
using Xunit;

namespace RouterAdmin.Tests.History;

/// <summary>A revision's snapshot is kept whole for its readers, while the database keeps what revisions share only once.</summary>
public sealed class SnapshotStorageSpecs
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string NatTable(int rules, int changed = -1) =>
        "*nat\n:POSTROUTING ACCEPT [0:0]\n:ROUTERADMIN-SNAT - [0:0]\n" + string.Concat(Enumerable.Range(0, rules).Select(i =>
            $"-A ROUTERADMIN-SNAT -s 10.0.{i / 200}.{10 + i % 200}/32 -d 198.51.100.{1 + i / 100}/32 -m comment --comment \"routeradmin: client-{i:00000} to vpn-{i / 100:000}\" -j SNAT --to-source 203.0.113.{(i == changed ? 102 : 2 + i % 100)}\n")) + "COMMIT\n";

    [Fact]
    public void Chunks_put_back_together_are_the_text_and_a_one_line_change_changes_at_most_two_of_them()
    {
        var before = Encoding.UTF8.GetBytes(NatTable(5_000));
        var after = Encoding.UTF8.GetBytes(NatTable(5_000, changed: 2_500));

        var first = ContentChunker.Split(before).Select(r => Convert.ToHexString(before.AsSpan(r))).ToArray();
        var second = ContentChunker.Split(after).Select(r => Convert.ToHexString(after.AsSpan(r))).ToArray();

        Assert.Equal(Convert.ToHexString(before), string.Concat(first));
        Assert.Equal(Convert.ToHexString(after), string.Concat(second));
        Assert.InRange(first.Length, before.Length / ContentChunker.MaxSize, before.Length / ContentChunker.MinSize);
        Assert.InRange(second.Except(first).Count(), 1, 2);
    }

    [Fact]
    public async Task A_snapshot_saved_through_any_context_reads_back_exactly_and_what_two_snapshots_share_is_stored_once()
    {
        await using var database = await TestDatabase.CreateAsync();
        var texts = new[] { NatTable(3_000), "{\"before\":\"Zoë's laptop ✓\"}", "{\"after\":1}", "{\"inventory\":[1,2,3]}", "", "iptables-restore -w --noflush < script" };
        await using (var db = database.NewContext())
        {
            db.Revisions.Add(NewRevision(texts));
            await db.SaveChangesAsync(Ct);
        }
        long chunksAfterOne;
        await using (var db = database.NewContext())
            chunksAfterOne = await db.SnapshotChunks.CountAsync(Ct);

        texts[0] = NatTable(3_000, changed: 1_500);
        await using (var db = database.NewContext())
        {
            db.Revisions.Add(NewRevision(texts));
            await db.SaveChangesAsync(Ct);
        }

        await using (var db = database.NewContext())
        {
            var stored = await db.Revisions.AsNoTracking().Include(r => r.Snapshot).OrderBy(r => r.Id).ToListAsync(Ct);
            Assert.Equal(texts, SnapshotStorage.TextsOf(stored[1].Snapshot));
            Assert.Equal(NatTable(3_000), stored[0].Snapshot.BeforeNatTable);
            Assert.Equal("{\"before\":\"Zoë's laptop ✓\"}", stored[0].Snapshot.BeforeStateJson);
            // The second revision added the chunk holding the changed line (or two), nothing else.
            Assert.InRange(await db.SnapshotChunks.CountAsync(Ct) - chunksAfterOne, 1, 2);
            Assert.True(await db.SnapshotChunks.SumAsync(c => (long)c.Data.Length, Ct) < Encoding.UTF8.GetByteCount(NatTable(3_000)) / 5,
                "the chunks are stored compressed");
        }
    }

    [Fact]
    public async Task A_one_client_change_on_two_thousand_mappings_adds_a_few_kilobytes_to_the_history()
    {
        await using var router = await TestConsole.StartAsync();
        var (moving, spare, _) = await SeedAsync(router, 2_000);
        await ApplyAsync(router);
        var before = await StoredBytesAsync(router);

        await router.Assignments.ReassignAsync(moving, spare, Actors.Admin, Ct);
        await ApplyAsync(router);
        var added = await StoredBytesAsync(router) - before;

        await using var db = router.NewContext();
        var snapshots = await db.RevisionSnapshots.AsNoTracking().OrderBy(s => s.RevisionId).ToListAsync(Ct);
        var rawBytes = SnapshotStorage.TextsOf(snapshots[1]).Sum(t => (long)Encoding.UTF8.GetByteCount(t));
        Assert.True(rawBytes > 1_000_000, $"the snapshot's texts are {rawBytes:N0} bytes");
        Assert.True(added < 20_000, $"the one-client change added {added:N0} bytes of chunks and manifests for {rawBytes:N0} bytes of texts");
        // What the rest of the console reads is the whole text: the change moved the client in the wanted state.
        Assert.Contains("203.0.113.102", snapshots[1].AfterStateJson);
        Assert.Equal(snapshots[0].AfterStateJson, snapshots[1].BeforeStateJson);
    }

    /// <summary>The chunks' compressed bytes and the manifests naming them: what the history adds to the file.</summary>
    private static async Task<long> StoredBytesAsync(TestConsole router)
    {
        await using var db = router.NewContext();
        var chunks = await db.SnapshotChunks.SumAsync(c => (long)c.Data.Length + c.Hash.Length, Ct);
        var manifests = 0L;
        foreach (var column in SnapshotStorage.ManifestColumns)
            manifests += await db.RevisionSnapshots.SumAsync(s => (long)EF.Property<string>(s, column).Length, Ct);
        return chunks + manifests;
    }

    private static async Task ApplyAsync(TestConsole router)
    {
        var preview = await router.Engine.PreviewApplyAsync(Ct);
        var result = await router.Engine.ApplyAsync(new ApplyRequest(Actors.Admin, "history", preview.Fingerprint), Ct);
        Assert.Equal(ApplyResultKind.Applied, result.Kind);
    }

    /// <summary>N clients on 10.0.0.0/16, each to endpoint i/100 from address i%100, bulk-inserted; returns the first assignment and the spare and its own address.</summary>
    internal static async Task<(int Assignment, int Spare, int Original)> SeedAsync(TestConsole router, int count)
    {
        await router.Settings.UpdateAsync(new SettingsDraft { WanInterface = "eth1", LanSubnet = "10.0.0.0/16" }, Actors.Admin, Ct);
        await using var db = router.NewContext();
        var endpoints = Enumerable.Range(0, (count + 99) / 100).Select(i => new VpnEndpoint { Name = $"vpn-{i:000}", Destination = new IPNetwork(IPAddress.Parse($"198.51.100.{1 + i}"), 32) }).ToArray();
        var addresses = Enumerable.Range(0, 101).Select(i => new ExternalAddress { Address = IPAddress.Parse($"203.0.113.{2 + i}"), Interface = "eth1", PrefixLength = 24 }).ToArray();
        var clients = Enumerable.Range(0, count).Select(i => new Client { Name = $"client-{i:00000}", LanAddress = IPAddress.Parse($"10.0.{1 + i / 200}.{10 + i % 200}") }).ToArray();
        db.AddRange(endpoints);
        db.AddRange(addresses);
        db.AddRange(clients);
        await db.SaveChangesAsync(Ct);
        var assignments = Enumerable.Range(0, count).Select(i => new Assignment { ClientId = clients[i].Id, EndpointId = endpoints[i / 100].Id, ExternalAddressId = addresses[i % 100].Id, AssignedAt = router.Clock.GetUtcNow() }).ToArray();
        db.AddRange(assignments);
        await db.SaveChangesAsync(Ct);
        return (assignments[0].Id, addresses[100].Id, addresses[0].Id);
    }

    private static Revision NewRevision(string[] texts)
    {
        var snapshot = new RevisionSnapshot { BeforeNatTable = "", BeforeStateJson = "", AfterStateJson = "", InventoryJson = "", RestoreScript = "", CommandsText = "" };
        SnapshotStorage.SetTexts(snapshot, texts);
        return new Revision { Kind = RevisionKind.Apply, Status = RevisionStatus.Applied, Actor = "ada", Reason = "storage", Backend = "simulated", Snapshot = snapshot };
    }
}
