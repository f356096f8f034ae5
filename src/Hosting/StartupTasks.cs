using RouterAdmin.Data;
using RouterAdmin.Firewall.Apply;

namespace RouterAdmin.Hosting;

/// <summary>
/// Runs before the web server accepts a request: the schema is migrated, and an apply the previous process did not live
/// to finish is resolved, so nobody ever sees (or edits) a half-applied router.
/// </summary>
internal sealed class StartupTasks(IServiceProvider services, ApplyRecovery recovery) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await DatabaseMigrator.MigrateAsync(services, cancellationToken);
        await recovery.RecoverAsync(cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
