namespace RouterAdmin.Domain;

/// <summary>How long what an administrator types may be: the forms, the services and the database columns read these.</summary>
public static class Limits
{
    /// <summary>The reason an apply, rollback or adoption gives; one line.</summary>
    public const int ReasonLength = 500;

    /// <summary>Names of clients and endpoints, user names, and the actor recorded with a change.</summary>
    public const int NameLength = 64;

    public const int NotesLength = 2000;

    /// <summary>Linux's IFNAMSIZ less the terminating NUL.</summary>
    public const int InterfaceNameLength = 15;

    public const int PasswordLength = 256;

    /// <summary>What an audit entry says it was about; longer subjects are shortened with an ellipsis.</summary>
    public const int AuditSubjectLength = 200;

    public const int AuditActionLength = 64;
}
