using RouterAdmin.Refusals;

namespace RouterAdmin.Security;

/// <summary>
/// Who is asking for a change. Every mutating service call takes one and refuses a Viewer, so hiding a button is a
/// courtesy and never the only defence.
/// </summary>
public sealed record Actor(string Name, UserRole Role)
{
    /// <summary>The service itself: automatic rollbacks, start-up recovery, the boot-time restore.</summary>
    public static Actor System { get; } = new("system", UserRole.Admin);

    public bool CanEdit => Role == UserRole.Admin;

    public void EnsureCanEdit()
    {
        if (!CanEdit) throw new Forbidden($"{Name} is a viewer and cannot change the router or its inventory.");
    }

    public override string ToString() => Name;
}
