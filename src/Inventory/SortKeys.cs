namespace RouterAdmin.Inventory;

/// <summary>The sort labels of the paged tables: the page's column says which, the service orders by it.</summary>
public static class SortKeys
{
    public const string Name = "name";
    public const string Address = "address";
    public const string Enabled = "enabled";
    public const string Assignments = "assignments";
    public const string Interface = "interface";
    public const string Client = "client";
    public const string Endpoint = "endpoint";
    public const string External = "external";
    public const string Assigned = "assigned";
}
