using System.Diagnostics;
using System.Globalization;
using System.Text;
using RouterAdmin.Inventory;
using RouterAdmin.Inventory.Bulk;

namespace RouterAdmin.Bench;

/// <summary>
/// Issue 12's bulk target: a CSV of N new clients, each given the lowest free address towards the one endpoint, previewed
/// and then imported in one transaction on the real console (simulated backend, its own SQLite file on disk). The
/// external addresses are in the inventory before the clock starts, as on a router whose ISP block is set up.
/// </summary>
public static class BulkImport
{
    public const double TargetSeconds = 10;

    public const int Repetitions = 3;

    /// <summary>The report's section: the median of <see cref="Repetitions"/> imports, each on a fresh console and database.</summary>
    public static async Task<(string Markdown, bool Met)> RunAsync(int clients, Action<string> log, CancellationToken ct)
    {
        var previews = new List<double>();
        var imports = new List<double>();
        var size = 0;
        for (var run = 1; run <= Repetitions; run++)
        {
            var (preview, import, bytes) = await ImportOnceAsync(clients, ct);
            (size, previews, imports) = (bytes, [.. previews, preview], [.. imports, import]);
            log($"bulk import {run}/{Repetitions}: preview {preview:0.00} s, import {import:0.00} s");
        }
        var previewed = Samples.Of(previews);
        var imported = Samples.Of(imports);
        var met = imported.Median < TargetSeconds;
        var invariant = CultureInfo.InvariantCulture;
        return (string.Create(invariant, $"""
            ## Bulk import of {clients:N0} clients with an assignment each

            One CSV file (`name,lan_address,mac,notes,endpoints`, {size / 1024.0:N0} KiB), every client given the lowest free address towards the one endpoint, on the real console (simulated backend, SQLite file on disk, {clients:N0} external addresses already in the inventory). Median (min–max) of {Repetitions} imports, each on a fresh console and database. Target: the import in under {TargetSeconds:0} s.

            | step | median s | min–max s |
            |---|--:|--:|
            | preview (parse, validate every line, plan, nothing written) | {previewed.Median:0.00} | {previewed.Min:0.00}–{previewed.Max:0.00} |
            | confirmed import (the same again, then {clients:N0} clients, {clients:N0} assignments and {2 * clients + 1:N0} audit entries in one transaction) | {imported.Median:0.00} | {imported.Min:0.00}–{imported.Max:0.00} |

            The import took **{imported.Median:0.00} s** ({(met ? "met" : "**not met**")}).

            """), met);
    }

    private static async Task<(double Preview, double Import, int Bytes)> ImportOnceAsync(int clients, CancellationToken ct)
    {
        await using var console = await TestConsole.StartAsync(new ConsoleSetup { OnDisk = true });
        var admin = TestConsole.Admin;
        await console.Settings.UpdateAsync(new SettingsDraft { WanInterface = "eth1", LanSubnet = "10.0.0.0/16" }, admin, ct);
        var addresses = new StringBuilder("record,name,address,interface\nendpoint,Contivity,198.51.100.10,\n");
        for (var i = 0; i < clients; i++) addresses.Append(CultureInfo.InvariantCulture, $"external,,198.18.{i / 250}.{i % 250 + 1},eth1\n");
        await console.Import.ImportAsync(addresses.ToString(), BulkFormat.Csv, new ImportConfirmation(), admin, ct);

        var file = new StringBuilder("name,lan_address,mac,notes,endpoints\n");
        for (var i = 0; i < clients; i++) file.Append(CultureInfo.InvariantCulture, $"Employee {i:D5},10.0.{i / 250}.{i % 250 + 2},,,Contivity\n");
        var text = file.ToString();

        var started = Stopwatch.GetTimestamp();
        var preview = await console.Import.PreviewAsync(text, BulkFormat.Csv, ct);
        var previewed = Stopwatch.GetElapsedTime(started);
        started = Stopwatch.GetTimestamp();
        var done = await console.Import.ImportAsync(text, BulkFormat.Csv, new ImportConfirmation(ExpectedFingerprint: preview.Fingerprint), admin, ct);
        var imported = Stopwatch.GetElapsedTime(started);
        var counts = await console.Store.CountAsync(ct);
        if (done.Refused.Count > 0 || counts.Clients != clients || counts.Assignments != clients)
            throw new InvalidOperationException($"The import did not create {clients} clients with an assignment each: {counts}, {done.Refused.Count} refused.");
        return (previewed.TotalSeconds, imported.TotalSeconds, text.Length);
    }
}
