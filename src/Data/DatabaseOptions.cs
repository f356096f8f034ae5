namespace RouterAdmin.Data;

/// <summary>Bound from <c>RouterAdmin:Database</c>.</summary>
public sealed class DatabaseOptions
{
    public const string Section = "RouterAdmin:Database";

    /// <summary>The SQLite file. Relative paths are taken from the content root (the folder holding appsettings.json).</summary>
    public string Path { get; set; } = "data/routeradmin.db";

    public string ResolvePath(string contentRoot) => System.IO.Path.GetFullPath(Path, contentRoot);

    public static string ConnectionString(string file) =>
        new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder { DataSource = file, DefaultTimeout = 30, Pooling = true }.ToString();
}
