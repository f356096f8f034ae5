using Microsoft.EntityFrameworkCore;
using RouterAdmin.Domain;
using RouterAdmin.Refusals;

namespace RouterAdmin.Inventory;

/// <summary>How the inventory services word a change for the audit log and what a deletion takes with it.</summary>
internal static class ChangeText
{
    /// <summary>"name: a → b; notes: — → c", or "no change".</summary>
    public static string Describe(params (string Field, string? Before, string? After)[] fields)
    {
        var changed = fields.Where(f => f.Before != f.After).Select(f => $"{f.Field}: {f.Before ?? "—"} → {f.After ?? "—"}").ToArray();
        return changed.Length == 0 ? "no change" : string.Join("; ", changed);
    }

    public static string Removed(string what, IReadOnlyList<string> assignments) =>
        assignments.Count == 0 ? what : $"{what}; with it: {string.Join("; ", assignments)}";

    public static async Task<IReadOnlyList<string>> DescribeAssignmentsAsync(IQueryable<Assignment> assignments, CancellationToken ct)
    {
        var rows = await assignments.AsNoTracking()
            .OrderBy(a => a.Client.Name)
            .Select(a => new { Client = a.Client.Name, Endpoint = a.Endpoint.Name, a.ExternalAddress.Address })
            .ToListAsync(ct);
        return rows.Select(a => $"{a.Client} → {a.Endpoint} via {a.Address}").ToArray();
    }

    /// <summary>A deletion goes through only if it takes exactly what the administrator was shown.</summary>
    public static void EnsureAcknowledged(IReadOnlyList<string> assignments, int acknowledged)
    {
        if (assignments.Count != acknowledged)
            throw new Conflict(
                $"This now takes {assignments.Count} assignment(s) with it, not {acknowledged} as shown; nothing was deleted. Look again and confirm.");
    }

    public static Conflict Gone(string what) =>
        new($"That {what} no longer exists; another administrator may have deleted it. Reload the page.");
}
