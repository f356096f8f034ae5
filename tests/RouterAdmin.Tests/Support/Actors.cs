using RouterAdmin.Security;

namespace RouterAdmin.Tests.Support;

public static class Actors
{
    public static Actor Admin { get; } = new("ada", UserRole.Admin);
    public static Actor OtherAdmin { get; } = new("otto", UserRole.Admin);
    public static Actor Viewer { get; } = new("vera", UserRole.Viewer);
}
