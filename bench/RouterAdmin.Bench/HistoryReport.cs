using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace RouterAdmin.Bench;

/// <summary>
/// The history's growth on disk as a section of docs/benchmarks.md, one per backend measured. A section is marked so a
/// run that measures only the history (<c>--only history</c>, simulated backend, no root) replaces its own section and
/// leaves the rest of the report, measured as root, as it was; a full run keeps the sections it did not measure.
/// </summary>
public static partial class HistoryReport
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static string Section(HistoryGrowthResult r, string command)
    {
        var md = new StringBuilder();
        md.AppendLine($"<!-- history {r.Backend} begin -->");
        md.AppendLine($"## History on disk: {r.Changes:N0} one-client changes on {r.Size:N0} mappings ({r.Backend} backend)").AppendLine();
        md.AppendLine($"A fresh SQLite file seeded with {r.Size:N0} assignments, one full apply, then {r.Changes:N0} times: move one client to the spare address (a different client each time, so no state repeats an earlier one; `AssignmentService.ReassignAsync`) and apply it through `ApplyEngine`. Every revision keeps its snapshot (the nat table found, the undo and wanted states, the inventory, the restore script and the commands) as content-defined chunks shared between revisions and Brotli-compressed; the retention policy keeps them all (they are younger than its window). The write-ahead log is checkpointed before each reading. *Added to the file* = pages in use (`page_count − freelist_count`) after the last change minus after the first apply, over the changes: everything a change costs (revision row, snapshot, audit entry, indexes). *Chunks and manifests* = the compressed chunk bytes, their hashes and the manifests each change added, exactly. Command: `{command}`.").AppendLine();
        md.AppendLine("| measure | figure | target | result |").AppendLine("|---|--:|--:|---|");
        md.AppendLine($"| bytes one one-client change adds to the file (mean of {r.Changes:N0}) | {KiB(r.BytesPerChange)} | ≤ {KiB(HistoryGrowth.TargetBytesPerChange)} | {Verdict(r.BytesPerChange <= HistoryGrowth.TargetBytesPerChange)} |");
        md.AppendLine($"| of which snapshot chunks and manifests (median, min–max) | {KiB(r.StoredBytesPerChange.Median)} ({KiB(r.StoredBytesPerChange.Min)}–{KiB(r.StoredBytesPerChange.Max)}) | | |");
        md.AppendLine($"| SQLite file after the first apply | {MiB(r.FileBytesAfterFirstApply)} | | |");
        md.AppendLine($"| SQLite file after {r.Changes:N0} changes | {MiB(r.FileBytesAfterChanges)} | ≤ {MiB(HistoryGrowth.TargetFileBytes)} | {(r.Size == HistoryGrowth.TargetSize && r.Changes == HistoryGrowth.TargetChanges ? Verdict(r.FileBytesAfterChanges <= HistoryGrowth.TargetFileBytes) : "— (not the target's size)")} |");
        md.AppendLine();
        md.AppendLine("The ways of storing a snapshot that were weighed, applied to the last two revisions of the run: what the newest one would add to a history already holding the one before it, and the time to encode it.").AppendLine();
        md.AppendLine("| storage | bytes the change adds | encode ms |").AppendLine("|---|--:|--:|");
        foreach (var option in r.Options)
            md.AppendLine($"| {option.Name} | {KiB(option.Bytes)} | {option.Milliseconds.ToString("N0", Invariant)} |");
        md.AppendLine();
        md.AppendLine($"<!-- history {r.Backend} end -->");
        return md.ToString();
    }

    /// <summary>The report with the section for <paramref name="backend"/> put in place of the old one, or added at the end.</summary>
    /// <summary>
    /// A section that a partial run measures on its own (the load test, say), in the markers a full run keeps when it
    /// does not measure that part itself, with the command and the machine's load that produced it.
    /// </summary>
    public static string Keep(string key, string body, string command, string load) =>
        $"<!-- history {key} begin -->\n{body.TrimEnd('\n')}\n\nMeasured with `{command}` (load average at the end: {load}).\n<!-- history {key} end -->\n";

    public static string Upsert(string document, string backend, string section)
    {
        var existing = Sections(document).FirstOrDefault(s => s.Backend == backend);
        if (existing.Text is null) return document.TrimEnd('\n') + "\n\n" + section;
        return document.Replace(existing.Text, section.TrimEnd('\n'), StringComparison.Ordinal);
    }

    /// <summary>A full run's report, with the history sections of the previous report that this run did not measure kept.</summary>
    public static string KeepUnmeasured(string fresh, string previous)
    {
        var measured = Sections(fresh).Select(s => s.Backend).ToHashSet();
        foreach (var (backend, text) in Sections(previous).Where(s => !measured.Contains(s.Backend)))
            fresh = Upsert(fresh, backend, text + "\n");
        return fresh;
    }

    private static IEnumerable<(string Backend, string Text)> Sections(string document) =>
        SectionPattern().Matches(document).Select(m => (m.Groups[1].Value, m.Value));

    [GeneratedRegex(@"<!-- history (\S+) begin -->.*?<!-- history \1 end -->", RegexOptions.Singleline)]
    private static partial Regex SectionPattern();

    private static string Verdict(bool pass) => pass ? "PASS" : "**FAIL**";
    private static string KiB(double bytes) => (bytes / 1024).ToString("N1", Invariant) + " KiB";
    private static string MiB(double bytes) => (bytes / 1024 / 1024).ToString("N1", Invariant) + " MiB";
}
