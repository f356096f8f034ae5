using Microsoft.EntityFrameworkCore;
using RouterAdmin.Firewall.Apply;
using RouterAdmin.History;
using RouterAdmin.Refusals;
using RouterAdmin.TestSupport.Lab;

namespace RouterAdmin.LabTests;

/// <summary>
/// The disk holding the database fills up during an apply, on the real kernel with each backend: at the two moments
/// that matter, before the snapshot is written (nothing may run without one) and after the kernel changed but before
/// the change is recorded (the router must not hold a change the history does not know). The router keeps or gets back
/// the previous state, nothing half-written stays in the database, the administrator reads "the disk is full", and once
/// space is freed work goes on.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class DiskFullSpecs
{
    [LabTheory]
    [MemberData(nameof(TestConsole.Backends), MemberType = typeof(TestConsole))]
    public async Task A_disk_full_before_the_snapshot_is_written_refuses_the_apply_and_the_kernel_is_not_touched(string backend)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var lab = await NetnsLab.CreateAsync(ct: ct);
        await using var disk = await SmallDisk.MountAsync();
        await using var console = await TestConsole.StartAsync(ConsoleSetup.OnLab(lab, backend) with { Directory = disk.Folder });
        var (good, before) = await GoodStateAsync(console, lab, backend);
        await console.AssignAsync(2, 2);
        var preview = await console.Engine.PreviewApplyAsync(ct);
        var inventoryBefore = await InventoryAsync(console);
        disk.Fill();

        var result = await console.Engine.ApplyAsync(new ApplyRequest(TestConsole.Admin, "disk is full", preview.Fingerprint), ct);

        Assert.Equal(ApplyResultKind.Refused, result.Kind);
        Assert.Equal(StorageFault.DiskFull, Assert.IsType<StorageUnavailable>(result.Refusal).Fault);
        AssertToldInWords(result.Message);
        Assert.Equal(before, await KernelFaultSpecs.KernelAsync(lab, backend));
        Assert.Equal([good], (await new HistoryReader(console).AllAsync()).Select(r => r.Id));
        Assert.Equal(inventoryBefore, await InventoryAsync(console));

        disk.Free();
        Assert.Equal(ApplyResultKind.Applied, (await console.PreviewAndApplyAsync("space again")).Result.Kind);
        Assert.Contains((NetnsLab.ClientAddress(2), NetnsLab.ExternalAlias(2)), await RouterSnapshot.MappingsAsync(lab, backend));
    }

    [LabTheory]
    [MemberData(nameof(TestConsole.Backends), MemberType = typeof(TestConsole))]
    public async Task A_disk_full_between_the_kernel_change_and_its_record_undoes_the_change_and_says_the_disk_is_full(string backend)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var lab = await NetnsLab.CreateAsync(ct: ct);
        await using var disk = await SmallDisk.MountAsync();
        await using var console = await TestConsole.StartAsync(ConsoleSetup.OnLab(lab, backend) with { Directory = disk.Folder });
        var (good, before) = await GoodStateAsync(console, lab, backend);
        await console.AssignAsync(2, 2);
        var inventoryBefore = await InventoryAsync(console);
        var kernelChanged = "";
        // The worst moment: the kernel holds and has verified the new rules, the record step is about to write them.
        void FillAtRecord()
        {
            if (console.Gate.Running?.Progress.Step != ApplyStep.Record || disk.IsFull) return;
            kernelChanged = KernelFaultSpecs.KernelAsync(lab, backend).GetAwaiter().GetResult();
            disk.Fill();
        }
        console.Gate.Changed += FillAtRecord;

        var (_, result) = await console.PreviewAndApplyAsync("the disk fills while recording");
        console.Gate.Changed -= FillAtRecord;

        Assert.NotEqual(before, kernelChanged); // the new rules had reached the kernel
        Assert.Equal(ApplyResultKind.Failed, result.Kind);
        Assert.Equal("record", result.FailedStep);
        AssertToldInWords(result.Message);
        Assert.Contains("undone", result.Message);
        Assert.Equal(before, await KernelFaultSpecs.KernelAsync(lab, backend));
        // Nothing of the record step's transaction: the inventory, the revision in effect and its audit are as before.
        Assert.Equal(inventoryBefore, await InventoryAsync(console));
        Assert.Equal(good, (await console.Get<RevisionStore>().LastInEffectAsync(before: null, includeAwaiting: true, ct))!.Id);
        var attempt = await new HistoryReader(console).LastAsync();
        Assert.Equal(result.RevisionId, attempt.Id);
        Assert.Contains(attempt.Status, new[] { RevisionStatus.Failed, RevisionStatus.InProgress });

        disk.Free();
        var (_, again) = await console.PreviewAndApplyAsync("space again");

        Assert.Equal(ApplyResultKind.Applied, again.Kind);
        Assert.Contains((NetnsLab.ClientAddress(2), NetnsLab.ExternalAlias(2)), await RouterSnapshot.MappingsAsync(lab, backend));
        var history = await new HistoryReader(console).AllAsync();
        Assert.Equal(
            [(good, RevisionStatus.Applied), (attempt.Id, RevisionStatus.Failed), (again.RevisionId!.Value, RevisionStatus.Applied)],
            history.OrderBy(r => r.Id).Select(r => (r.Id, r.Status)));
        var failed = history.Single(r => r.Id == attempt.Id);
        Assert.Equal("record", failed.FailedStep);
        AssertToldInWords(failed.Error!);
        await using var db = await console.OpenDatabaseAsync();
        Assert.Equal(1, await db.Audit.CountAsync(a => a.Subject == $"Revision {attempt.Id}", ct));
    }

    private static async Task<(int Revision, string Kernel)> GoodStateAsync(TestConsole console, NetnsLab lab, string backend)
    {
        await console.SeedStoryAsync(externalAddresses: 2);
        await console.AssignAsync(1, 1);
        var (_, applied) = await console.PreviewAndApplyAsync("good state");
        Assert.Equal(ApplyResultKind.Applied, applied.Kind);
        return (applied.RevisionId!.Value, await KernelFaultSpecs.KernelAsync(lab, backend));
    }

    private static async Task<string> InventoryAsync(TestConsole console) => (await console.Store.CaptureAsync()).ToJson();

    /// <summary>What the apply page shows: the cause in words, not SQLite's code or its own wording.</summary>
    private static void AssertToldInWords(string message)
    {
        Assert.Contains("The disk is full", message);
        Assert.DoesNotContain("SQLite", message, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("database or disk is full", message);
    }
}
