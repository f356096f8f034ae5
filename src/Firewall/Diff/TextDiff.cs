using DiffPlex.DiffBuilder;
using DiffPlex.DiffBuilder.Model;

namespace RouterAdmin.Firewall.Diff;

/// <summary>A line diff (DiffPlex) of two renderings of a ruleset, as every backend's preview shows it.</summary>
public static class TextDiff
{
    public static IReadOnlyList<DiffLine> Lines(string before, string after)
    {
        var model = InlineDiffBuilder.Diff(before.TrimEnd('\n'), after.TrimEnd('\n'), ignoreWhiteSpace: false);
        return model.Lines
            .Where(l => l.Type != ChangeType.Imaginary)
            .Select(l => new DiffLine(l.Type switch
            {
                ChangeType.Inserted => DiffKind.Added,
                ChangeType.Deleted => DiffKind.Removed,
                _ => DiffKind.Unchanged,
            }, l.Text))
            .ToArray();
    }
}
