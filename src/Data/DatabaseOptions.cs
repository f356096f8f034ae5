namespace RouterAdmin.Data;

/// <summary>Bound from <c>RouterAdmin:Database</c>.</summary>
public sealed class DatabaseOptions
{
    public const string Section = "RouterAdmin:Database";

    /// <summary>The SQLite file. Relative paths are taken from the content root (the folder holding appsettings.json).</summary>
    public string Path { get; set; } = "data/routeradmin.db";

    public string ResolvePath(string contentRoot) => System.IO.Path.GetFullPath(Path, contentRoot);

    /// <summary>The folder of the database file, which also holds the apply lock and the data-protection keys.</summary>
    public string DataFolder(string contentRoot) => System.IO.Path.GetDirectoryName(ResolvePath(contentRoot))!;

    public static IEnumerable<string> Problems(DatabaseOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.Path))
            yield return $"{Section}:Path must name the SQLite file (e.g. data/routeradmin.db).";
    }

    public static string ConnectionString(string file) =>
        new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder { DataSource = file, DefaultTimeout = 30, Pooling = true }.ToString();
}
