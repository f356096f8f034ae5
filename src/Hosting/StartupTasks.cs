using RouterAdmin.Data;
using RouterAdmin.Firewall.Apply;

namespace RouterAdmin.Hosting;

/// <summary>
/// Runs before the web server accepts a request: the schema is migrated, an apply the previous process did not live
/// to finish is resolved, and a change still awaiting confirmation is rolled back, so nobody ever sees (or edits) a
/// half-applied or unconfirmed router.
/// </summary>
internal sealed class StartupTasks(IServiceProvider services, ApplyRecovery recovery, ConfirmationService confirmations) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await DatabaseMigrator.MigrateAsync(services, cancellationToken);
        await recovery.RecoverAsync(cancellationToken);
        await confirmations.RollBackUnconfirmedAtStartupAsync(cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
