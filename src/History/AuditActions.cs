namespace RouterAdmin.History;

/// <summary>The names the audit log records actions under: stored, filtered on, and read by people, so never reworded.</summary>
public static class AuditActions
{
    public const string SettingsUpdate = "settings.update";

    public const string ClientCreate = "client.create";
    public const string ClientUpdate = "client.update";
    public const string ClientDelete = "client.delete";

    public const string ExternalCreate = "external.create";
    public const string ExternalUpdate = "external.update";
    public const string ExternalDelete = "external.delete";

    public const string EndpointCreate = "endpoint.create";
    public const string EndpointUpdate = "endpoint.update";
    public const string EndpointDelete = "endpoint.delete";

    public const string AssignmentCreate = "assignment.create";
    public const string AssignmentUpdate = "assignment.update";
    public const string AssignmentDelete = "assignment.delete";

    /// <summary>A bulk import of clients (and endpoints, addresses, assignments) from a file: one entry for the whole file.</summary>
    public const string ClientsImport = "clients.import";

    public const string Apply = "apply";
    public const string ApplyConfirm = "apply.confirm";
    public const string ApplyInterrupted = "apply.interrupted";
    public const string Rollback = "rollback";
    public const string RollbackAutomatic = "rollback.automatic";
    public const string RestoreBoot = "restore.boot";
    public const string Reapply = "reapply";
    public const string Adopt = "adopt";
    public const string Import = "import";
    public const string HistoryPrune = "history.prune";
    public const string Backup = "backup";

    public const string UserCreate = "user.create";
    public const string UserDelete = "user.delete";
    public const string UserRole = "user.role";
    public const string UserPassword = "user.password";
    public const string UserUnlock = "user.unlock";
    public const string UserLockout = "user.lockout";
    public const string UserSignIn = "user.signin";

    public const string TokenCreate = "token.create";
    public const string TokenRevoke = "token.revoke";

    /// <summary>The same action, recorded when it failed.</summary>
    public static string Failed(string action) => action + ".failed";
}
