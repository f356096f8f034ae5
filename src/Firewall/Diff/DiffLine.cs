namespace RouterAdmin.Firewall.Diff;

public enum DiffKind { Unchanged, Added, Removed }

/// <summary>One line of a backend's text diff, as the preview and the history show it.</summary>
public sealed record DiffLine(DiffKind Kind, string Text)
{
    public string Unified => (Kind switch { DiffKind.Added => "+ ", DiffKind.Removed => "- ", _ => "  " }) + Text;
}
