namespace RouterAdmin.Security;

/// <summary>The role names the cookie carries and <c>AuthorizeView Roles</c> / <c>RequireRole</c> check.</summary>
public static class RoleNames
{
    public const string Admin = nameof(UserRole.Admin);
    public const string Viewer = nameof(UserRole.Viewer);
}
