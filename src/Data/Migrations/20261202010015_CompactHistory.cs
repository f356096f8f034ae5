using Microsoft.EntityFrameworkCore.Migrations;

// Snapshot texts become manifests of shared, Brotli-compressed chunks (SnapshotStorage): the six text columns of
// RevisionSnapshots are renamed to *Chunks and converted in place, and the SnapshotChunks table holds the chunks.

#nullable disable

namespace RouterAdmin.Data.Migrations
{
    /// <inheritdoc />
    public partial class CompactHistory : Migration
    {
        private static readonly string[] Columns =
            ["BeforeNatTableChunks", "BeforeStateChunks", "AfterStateChunks", "InventoryChunks", "RestoreScriptChunks", "CommandsChunks"];

        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.RenameColumn(
                name: "RestoreScript",
                table: "RevisionSnapshots",
                newName: "RestoreScriptChunks");

            migrationBuilder.RenameColumn(
                name: "InventoryJson",
                table: "RevisionSnapshots",
                newName: "InventoryChunks");

            migrationBuilder.RenameColumn(
                name: "CommandsText",
                table: "RevisionSnapshots",
                newName: "CommandsChunks");

            migrationBuilder.RenameColumn(
                name: "BeforeStateJson",
                table: "RevisionSnapshots",
                newName: "BeforeStateChunks");

            migrationBuilder.RenameColumn(
                name: "BeforeNatTable",
                table: "RevisionSnapshots",
                newName: "BeforeNatTableChunks");

            migrationBuilder.RenameColumn(
                name: "AfterStateJson",
                table: "RevisionSnapshots",
                newName: "AfterStateChunks");

            migrationBuilder.CreateTable(
                name: "SnapshotChunks",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    Hash = table.Column<byte[]>(type: "BLOB", nullable: false),
                    Length = table.Column<int>(type: "INTEGER", nullable: false),
                    Data = table.Column<byte[]>(type: "BLOB", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_SnapshotChunks", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_SnapshotChunks_Hash",
                table: "SnapshotChunks",
                column: "Hash",
                unique: true);

            // The renamed columns still hold the old texts: each distinct text becomes one chunk (Brotli, addressed by
            // its SHA-256, so a "before" equal to the previous revision's "after" is stored once), then each column
            // holds its manifest, the JSON array of that one chunk's id. New revisions are cut into 16 KiB chunks as
            // they are written; these old ones go with the retention policy. routeradmin_sha256 and routeradmin_brotli
            // are registered on every connection by AppDbContext (SqliteFunctions), so this runs in the migration's
            // transaction like any other step.
            migrationBuilder.Sql($"""
                INSERT OR IGNORE INTO "SnapshotChunks" ("Hash", "Length", "Data")
                SELECT routeradmin_sha256("t"), length(CAST("t" AS BLOB)), routeradmin_brotli("t")
                FROM ({string.Join(" UNION ", Columns.Select(c => $"SELECT \"{c}\" AS \"t\" FROM \"RevisionSnapshots\""))})
                WHERE "t" <> '';
                """);
            migrationBuilder.Sql($"""
                UPDATE "RevisionSnapshots" SET {string.Join(", ", Columns.Select(c =>
                    $"\"{c}\" = CASE WHEN \"{c}\" = '' THEN '[]' ELSE json_array((SELECT \"Id\" FROM \"SnapshotChunks\" WHERE \"Hash\" = routeradmin_sha256(\"{c}\"))) END"))};
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder) =>
            // Putting the texts back together needs the chunks' order and Brotli, which SQL alone cannot do; a
            // database from before this migration comes back from a backup made before the upgrade (README, "Backups").
            throw new NotSupportedException("The CompactHistory migration cannot be undone: restore a backup made before the upgrade.");
    }
}
