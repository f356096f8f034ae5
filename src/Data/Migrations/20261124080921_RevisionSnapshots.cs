using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace RouterAdmin.Data.Migrations
{
    /// <inheritdoc />
    public partial class RevisionSnapshots : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "RevisionSnapshots",
                columns: table => new
                {
                    RevisionId = table.Column<int>(type: "INTEGER", nullable: false),
                    BeforeNatTable = table.Column<string>(type: "TEXT", nullable: false),
                    BeforeStateJson = table.Column<string>(type: "TEXT", nullable: false),
                    AfterStateJson = table.Column<string>(type: "TEXT", nullable: false),
                    InventoryJson = table.Column<string>(type: "TEXT", nullable: false),
                    RestoreScript = table.Column<string>(type: "TEXT", nullable: false),
                    CommandsText = table.Column<string>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_RevisionSnapshots", x => x.RevisionId);
                    table.ForeignKey(
                        name: "FK_RevisionSnapshots_Revisions_RevisionId",
                        column: x => x.RevisionId,
                        principalTable: "Revisions",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            // Move every revision's large texts to the new table before the columns go, so no history is lost.
            migrationBuilder.Sql("""
                INSERT INTO "RevisionSnapshots" ("RevisionId", "BeforeNatTable", "BeforeStateJson", "AfterStateJson", "InventoryJson", "RestoreScript", "CommandsText")
                SELECT "Id", "BeforeNatTable", "BeforeStateJson", "AfterStateJson", "InventoryJson", "RestoreScript", "CommandsText" FROM "Revisions";
                """);

            // SQLite drops a plain column in place (3.35+); EF Core's DropColumn would rebuild the table, which needs
            // PRAGMA foreign_keys = 0 outside the migration's transaction and warns about it on every new database.
            migrationBuilder.Sql("""ALTER TABLE "Revisions" DROP COLUMN "AfterStateJson";""");

            migrationBuilder.Sql("""ALTER TABLE "Revisions" DROP COLUMN "BeforeNatTable";""");

            migrationBuilder.Sql("""ALTER TABLE "Revisions" DROP COLUMN "BeforeStateJson";""");

            migrationBuilder.Sql("""ALTER TABLE "Revisions" DROP COLUMN "CommandsText";""");

            migrationBuilder.Sql("""ALTER TABLE "Revisions" DROP COLUMN "DiffText";""");

            migrationBuilder.Sql("""ALTER TABLE "Revisions" DROP COLUMN "InventoryJson";""");

            migrationBuilder.Sql("""ALTER TABLE "Revisions" DROP COLUMN "RestoreScript";""");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "RevisionSnapshots");

            migrationBuilder.AddColumn<string>(
                name: "AfterStateJson",
                table: "Revisions",
                type: "TEXT",
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<string>(
                name: "BeforeNatTable",
                table: "Revisions",
                type: "TEXT",
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<string>(
                name: "BeforeStateJson",
                table: "Revisions",
                type: "TEXT",
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<string>(
                name: "CommandsText",
                table: "Revisions",
                type: "TEXT",
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<string>(
                name: "DiffText",
                table: "Revisions",
                type: "TEXT",
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<string>(
                name: "InventoryJson",
                table: "Revisions",
                type: "TEXT",
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<string>(
                name: "RestoreScript",
                table: "Revisions",
                type: "TEXT",
                nullable: false,
                defaultValue: "");
        }
    }
}
