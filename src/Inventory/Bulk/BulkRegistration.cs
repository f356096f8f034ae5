namespace RouterAdmin.Inventory.Bulk;

public static class BulkRegistration
{
    /// <summary>Import from and export to CSV and JSON files, for the Clients page, the API and the verbs.</summary>
    public static IServiceCollection AddBulkInventory(this IServiceCollection services) =>
        services.AddSingleton<BulkImportService>().AddSingleton<InventoryExport>();
}
