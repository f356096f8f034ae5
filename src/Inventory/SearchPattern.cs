namespace RouterAdmin.Inventory;

/// <summary>The LIKE pattern the list pages search with.</summary>
internal static class SearchPattern
{
    /// <summary>The escape character <see cref="Containing"/> uses; pass it to <c>EF.Functions.Like</c>.</summary>
    public const string Escape = "\\";

    /// <summary>A pattern that finds <paramref name="term"/> anywhere, its wildcards taken literally.</summary>
    public static string Containing(string term) =>
        $"%{term.Trim().Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_")}%";
}
