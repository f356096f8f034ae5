using System.Text.RegularExpressions;

namespace RouterAdmin.WebTests.Automation;

/// <summary>
/// docs/automation.md as the specs read it: the examples are the fenced blocks right after an
/// <c>&lt;!-- automation-example:NAME --&gt;</c> comment, so what the page shows is exactly what the specs run.
/// </summary>
internal static partial class AutomationDoc
{
    public static string Path => System.IO.Path.Combine(RepositoryRoot(), "docs", "automation.md");

    public static string Text => File.ReadAllText(Path);

    /// <summary>The fenced block (its language named) that follows the example's marker.</summary>
    public static string Example(string name, string language)
    {
        var pattern = new Regex($@"<!-- automation-example:{Regex.Escape(name)} -->\s*\n```{Regex.Escape(language)}\n(.*?)\n```", RegexOptions.Singleline);
        var match = pattern.Match(Text);
        Assert.True(match.Success, $"{Path} has no ```{language} block right after <!-- automation-example:{name} -->.");
        return match.Groups[1].Value + "\n";
    }

    /// <summary>Every "METHOD /api/v1/…" the page names in its text and tables, with the query left off.</summary>
    public static IReadOnlyList<(string Method, string Path)> NamedRoutes() =>
        NamedRoute().Matches(Text).Select(m => (m.Groups[1].Value, m.Groups[2].Value)).Distinct().ToArray();

    // The folder holding RouterAdmin.sln, walking up from the test binaries: wherever the repository was cloned.
    private static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
            if (File.Exists(System.IO.Path.Combine(folder.FullName, "RouterAdmin.sln"))) return folder.FullName;
        throw new InvalidOperationException($"No folder above {AppContext.BaseDirectory} holds RouterAdmin.sln.");
    }

    // The method and the path may be on two lines of the Markdown source.
    [GeneratedRegex(@"`(GET|POST|PUT|DELETE)\s+(/api/v1/[^`?\s]*)[^`]*`")]
    private static partial Regex NamedRoute();
}
