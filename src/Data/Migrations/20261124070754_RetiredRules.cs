using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace RouterAdmin.Data.Migrations
{
    /// <inheritdoc />
    public partial class RetiredRules : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "RetiredRules",
                columns: table => new
                {
                    Id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    RuleLine = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_RetiredRules", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_RetiredRules_RuleLine",
                table: "RetiredRules",
                column: "RuleLine",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "RetiredRules");
        }
    }
}
