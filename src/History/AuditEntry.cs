namespace RouterAdmin.History;

/// <summary>Who did what, when: every change to the inventory, users, applies, rollbacks and confirmations.</summary>
public sealed class AuditEntry
{
    public long Id { get; set; }
    public DateTimeOffset At { get; set; }
    public required string Actor { get; set; }
    public required string Action { get; set; }
    public required string Subject { get; set; }
    public string? Details { get; set; }
}
